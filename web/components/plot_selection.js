// The Projector plot's selection as row numbers: a Streamlit v2 component with no view of its own.
//
// Streamlit's own selection message carries every selected point whole (its x, y and hover data:
// about 400 bytes each, 21 MB for a box around 50,000 points), and the server must accept a
// message that large from any browser. This listener runs before Streamlit's, sends the rows
// alone (a few bytes each), and leaves Streamlit's message the box or lasso outline only.
export default function ({ data, setStateValue }) {
  const { target, count } = data;
  let plot = null;
  let sent = 0;
  const take = (event) => {
    const points = event && Array.isArray(event.points) ? event.points : [];
    const rows = [];
    const seen = new Set();
    for (const point of points) {
      const row = point && Array.isArray(point.customdata) ? point.customdata[0] : NaN;
      if (Number.isInteger(row) && row >= 0 && row < count && !seen.has(row)) {
        seen.add(row);
        rows.push(row);
      }
    }
    sent += 1;
    setStateValue("rows", { rows, sent });
    points.length = 0; // what Streamlit sends next: no points, only the outline
  };
  const clear = () => {
    sent += 1;
    setStateValue("rows", { rows: [], sent });
  };
  const detach = () => {
    if (plot?._ev && typeof plot._ev.removeListener === "function") {
      plot._ev.removeListener("plotly_selected", take);
      plot._ev.removeListener("plotly_deselect", clear);
    }
    plot = null;
  };
  // The chart is redrawn, and sometimes replaced, on reruns: look for it again now and then.
  const attach = () => {
    const found = document.querySelector(target);
    if (!found || found === plot || !found._ev || typeof found._ev.prependListener !== "function") return;
    detach();
    plot = found;
    plot._ev.prependListener("plotly_selected", take); // first, before Streamlit's own listener
    plot._ev.prependListener("plotly_deselect", clear);
  };
  attach();
  const timer = setInterval(attach, 300);
  return () => {
    clearInterval(timer);
    detach();
  };
}
