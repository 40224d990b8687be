"""A link that names a tab opens with that tab in view: `/vae?section=Interpolate` scrolls to it.

The tabs sit below the sliders and the image, under the fold of a 1280×720 shared screen, so a
prepared link to a section would otherwise open on the sliders. Only the first visit to a page in
a session scrolls: after that, the person moving around the page decides where it is.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function ({ data }) {
  // The tabs are drawn after this component, and their panel (pictures) may come later still, when
  // the page is not yet long enough to bring the tabs up: look for the tabs and scroll them into view
  // until they have stayed in place for 1.5 s, or the person scrolls, clicks or types (then the page
  // is theirs), or 30 s have passed.
  const deadline = Date.now() + 30000;
  const events = ["wheel", "touchstart", "mousedown", "keydown"];
  let inPlaceSince = null;
  const stop = () => {
    clearInterval(timer);
    events.forEach((type) => window.removeEventListener(type, stop, true));
  };
  events.forEach((type) => window.addEventListener(type, stop, true));
  const timer = setInterval(() => {
    const tabs = document.querySelector(data.target);
    if (tabs) {
      tabs.style.scrollMarginTop = "4rem"; // below the app header, which overlays the page
      const margin = parseFloat(getComputedStyle(tabs).scrollMarginTop);
      const inPlace = () => Math.abs(tabs.getBoundingClientRect().top - margin) <= 2;
      if (!inPlace()) tabs.scrollIntoView({ block: "start" });
      inPlaceSince = inPlace() ? (inPlaceSince ?? Date.now()) : null;
    }
    if ((inPlaceSince !== null && Date.now() - inPlaceSince > 1500) || Date.now() > deadline) stop();
  }, 100);
  return stop;
}
"""

_component = st.components.v2.component("latent_explorer.scroll_to_tabs", js=_SCRIPT)


def scroll_to_linked_tabs(key: str, page: str) -> None:
    """Call before `st.tabs(..., key=key, bind="query-params")`: on the first visit to `page` in this
    session, a link naming the open tab (?key=...) scrolls the tabs into view."""
    visited = f"visited_{page}"
    first_visit = visited not in st.session_state
    st.session_state[visited] = True
    if first_visit and st.query_params.get(key):
        _component(key=f"scroll_to_{key}", height=0, data={"target": f".st-key-{key}"})
