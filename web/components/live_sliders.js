// Sliders and the picture they make, with the model running in the page (LiteRT.js).
//
// While a slider moves, every animation frame decodes the latest z and draws it; nothing is sent
// to the server. When the move ends (the pointer is released, or a key moved the slider), the
// values go to Python once, as the state value "position", so the URL and the rest of the page follow.
// If the runtime or the model cannot load, the state value "failed" says why, and the page falls
// back to its server-side sliders.
//
// data: {runtime: {module, wasm}, model: {url, shape: [H, W, C]}, base: z before the sliders,
//        scale: id of the slider that multiplies base (ψ) or null, suffix: numbers appended to z
//        ({size, at, values}: its non-zero entries),
//        sliders: [{id, label, help, min, max, step, value, vector, unit}], values: {id: value},
//        heard: {id: value} the positions Python last heard from this page, pixels, large,
//        caption, showZ, placeholder: the server's picture for the current values,
//        plane: {selector, colour} of a Plotly chart of the latent plane, or null,
//        judge: {url, column} of the GAN's discriminator, or null}
//
// With `plane`, the pointer over that chart decodes where it points (x, y as z), live, into the
// same picture; when it leaves, the picture is the sliders' again. A click still moves the sliders
// (the chart's own selection, handled by Python). A × on the chart marks the sliders' z and follows
// every frame of a drag. With `judge`, every picture also goes through the
// discriminator, and a line under it says how real D finds it (its output column `column`).

// `shared`, `onPage`, `loadModel`, `clearMount`: live_runtime.js, prepended.

function structure(data) {
  return JSON.stringify([data.model.url, data.sliders.map((s) => [s.id, s.label, s.min, s.max, s.step])]);
}

function build(parentElement, data) {
  clearMount(parentElement, "live"); // a model with other sliders: start again
  const root = document.createElement("div");
  root.className = `live${data.sliders.length <= 4 ? " few" : ""}`;
  root.dataset.state = "loading";
  const controls = document.createElement("div");
  controls.className = "controls";
  const inputs = new Map();
  for (const spec of data.sliders) {
    const field = document.createElement("div");
    field.className = "field";
    const label = document.createElement("label");
    const id = `live-${spec.id}`;
    label.htmlFor = id;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = spec.label;
    const value = document.createElement("output");
    value.className = "value";
    label.append(name, value);
    if (spec.help) label.title = spec.help;
    const input = document.createElement("input");
    Object.assign(input, { type: "range", id, min: spec.min, max: spec.max, step: spec.step });
    input.dataset.id = spec.id;
    input.dataset.default = spec.default; // the value a link leaves out
    input.setAttribute("aria-describedby", `${id}-value`);
    value.id = `${id}-value`;
    field.append(label, input);
    controls.append(field);
    inputs.set(spec.id, { input, value, spec });
  }
  const picture = document.createElement("figure");
  const canvas = document.createElement("canvas");
  [canvas.height, canvas.width] = data.model.shape;
  canvas.dataset.frames = "0";
  canvas.setAttribute("role", "img");
  const caption = document.createElement("figcaption");
  const zLine = document.createElement("figcaption");
  zLine.className = "z";
  const verdict = document.createElement("figcaption");
  verdict.className = "verdict";
  verdict.hidden = true;
  picture.append(canvas, caption, zLine, verdict);
  root.append(controls, picture);
  parentElement.append(root);
  // A view's every field, named here: the default export and the drawing functions only set them.
  return {
    root, // the block, and its parts below
    inputs, // slider id -> {input, value (its <output>), spec}
    canvas,
    caption,
    zLine,
    verdict,
    structure: structure(data), // the model and sliders it was built for: others build anew
    data, // what Python sent on the last run
    active: null, // the slider being dragged: no value from Python moves it
    received: {}, // slider id -> the value Python sent last
    fromPython: new Set(), // the sliders whose value Python set last (a button, a link), not the person
    busy: false, // a decode is running
    pending: false, // another move came while it ran: decode again after it
    pointer: null, // [x, y] under the pointer on the latent plane, decoded instead of the sliders
    planeBox: null, // the plane's plot area, measured once per layout
    resized: null, // the ResizeObserver that refits the picture
    compiled: null, // {lib, model} of the generator or decoder, once loaded
    loading: null, // its loading promise
    judging: null, // {url} of the discriminator asked for
    judge: null, // {lib, model} of the discriminator, once loaded
    fixed: null, // base and suffix of the last run, as text: a change decodes again
    suffix: null, // Float32Array appended to z (a conditional GAN's one-hot class)
    decodeTimes: [], // ms per decode, for the benchmark
    moves: 0, // slider moves seen, for the benchmark: pictures drawn against moves made
  };
}

// The picture's largest side: its column, and the screen below the picture's place on the page, so
// that on a short screen (an instructor's 1280×720) it shows whole without scrolling.
function fitToScreen(view) {
  let top = view.canvas.getBoundingClientRect().top + window.scrollY;
  for (let node = view.canvas.parentElement; node; node = node.parentElement || node.getRootNode().host) {
    top += node.scrollTop || 0;
  }
  // the captions under it, as tall as they are drawn (presenter mode's type is larger)
  const captions = [view.caption, view.zLine, view.verdict].filter((line) => !line.hidden);
  const below = 24 + captions.reduce((sum, line) => sum + Math.max(line.offsetHeight, 20) + 5, 0);
  view.canvas.style.maxWidth = `min(100%, ${Math.max(160, Math.floor(window.innerHeight - top - below))}px)`;
}

function currentValues(view) {
  const values = {};
  for (const [id, { input }] of view.inputs) values[id] = Number(input.value);
  return values;
}

function latent(view, data) {
  const values = currentValues(view);
  const scale = data.scale ? values[data.scale] : 1;
  const z = data.base.map((v) => v * scale);
  for (const spec of data.sliders) {
    if (!spec.vector) continue;
    const amount = values[spec.id];
    for (let i = 0; i < z.length; i++) z[i] += amount * spec.vector[i];
  }
  return z;
}

function showValue(entry) {
  const number = Number(entry.input.value);
  entry.value.textContent =
    (number === 0 ? 0 : number).toFixed(entry.spec.step < 0.1 ? 2 : 1) + (entry.spec.unit || "");
}

function draw(view, output) {
  const [height, width, channels] = view.data.model.shape;
  const context = view.canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const x = output[p * channels + (channels === 1 ? 0 : c)];
      image.data[p * 4 + c] = Math.round(Math.min(1, Math.max(0, x)) * 255);
    }
    image.data[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  view.canvas.dataset.frames = String(Number(view.canvas.dataset.frames) + 1);
}

function followPlane(view, tries = 20) {
  if (!view.data.plane) return;
  const plot = document.querySelector(view.data.plane.selector);
  if (!plot || typeof plot.on !== "function") {
    if (tries > 0) setTimeout(() => followPlane(view, tries - 1), 500); // the chart is drawn after the sliders
    return;
  }
  markPlane(view);
  if (plot.__livePlane === view) return;
  plot.__livePlane = view;
  plot.on("plotly_afterplot", () => {
    view.planeBox = null; // drawn again (a resize, a new figure): measure its plot area again
    markPlane(view);
  });
  plot.on("plotly_hover", (event) => {
    const point = event.points?.[0];
    if (!point || typeof point.x !== "number") return;
    view.pointer = [point.x, point.y];
    requestAnimationFrame(() => decode(view));
  });
  plot.on("plotly_unhover", () => {
    view.pointer = null;
    requestAnimationFrame(() => decode(view));
  });
}

// Where the plane's plot area (the chart's drag layer) sits in the chart: measured once per drawing of
// the chart, not at every move (a layout read after the last move's style change is a forced layout).
function planeBox(view, plot) {
  if (view.planeBox && view.planeBox.plot === plot) return view.planeBox;
  const area = plot.querySelector(".nsewdrag");
  if (!area) return null;
  const box = area.getBoundingClientRect();
  const origin = plot.getBoundingClientRect();
  view.planeBox = {
    plot,
    left: box.left - origin.left,
    top: box.top - origin.top,
    width: box.width,
    height: box.height,
  };
  return view.planeBox;
}

// The sliders' z as a × over the plane's chart, placed from its axes' range and its plot area: a style
// change a frame, where a Plotly restyle of the chart took 180 ms.
function markPlane(view) {
  const plane = view.data.plane;
  const plot = plane && document.querySelector(plane.selector);
  const [xRange, yRange] = [plot?.layout?.xaxis?.range, plot?.layout?.yaxis?.range];
  const area = plot && xRange && yRange && planeBox(view, plot);
  if (!area) return;
  let mark = plot.querySelector(":scope > .live-plane-mark");
  if (!mark) {
    mark = document.createElement("div");
    mark.className = "live-plane-mark";
    mark.setAttribute("role", "img");
    mark.setAttribute("aria-label", "the sliders' z");
    mark.title = "the sliders' z";
    const stroke = (colour, width) =>
      `<path d="M-6,-6L6,6M6,-6L-6,6" stroke="${colour}" stroke-width="${width}" stroke-linecap="round"/>`;
    mark.innerHTML = `<svg width="20" height="20" viewBox="-10 -10 20 20">${stroke("white", 6)}${stroke(plane.colour, 3)}</svg>`;
    // A layer of its own (will-change): moving it repaints neither the chart nor its thousands of points.
    Object.assign(mark.style, {
      position: "absolute",
      left: "-10px",
      top: "-10px",
      width: "20px",
      height: "20px",
      pointerEvents: "none",
      zIndex: 5,
      willChange: "transform",
    });
    if (getComputedStyle(plot).position === "static") plot.style.position = "relative";
    plot.append(mark);
  }
  const z = latent(view, view.data);
  const left = area.left + ((z[0] - xRange[0]) / (xRange[1] - xRange[0])) * area.width;
  const top = area.top + ((yRange[1] - z[1]) / (yRange[1] - yRange[0])) * area.height;
  mark.style.transform = `translate(${left}px, ${top}px)`;
  mark.dataset.z = JSON.stringify(z.map((v) => Math.round(v * 100) / 100));
}

async function decode(view) {
  if (!view.compiled) return;
  if (view.busy) {
    view.pending = true;
    return;
  }
  view.busy = true;
  const data = view.data;
  const z = view.pointer ? [...view.pointer] : latent(view, data);
  if (!view.pointer) markPlane(view);
  if (data.showZ) {
    const shown = `[${z.map((v) => (Math.abs(v) < 0.05 ? 0 : v).toFixed(1)).join(", ")}]`;
    view.zLine.textContent = view.pointer ? `under the pointer: z = ${shown}` : `z = ${shown}`;
    // A wrapped (or unwrapped) line refits the picture through its ResizeObserver: reading its height
    // here would lay the whole page out again at every move.
  }
  const { lib, model } = view.compiled;
  const numbers = new Float32Array(z.length + view.suffix.length);
  numbers.set(z);
  numbers.set(view.suffix, z.length);
  const input = new lib.Tensor(numbers, [1, numbers.length]);
  const started = performance.now();
  try {
    const [output] = await model.run([input]);
    const values = output.toTypedArray();
    output.delete();
    view.decodeTimes.push(performance.now() - started);
    if (view.decodeTimes.length > 600) view.decodeTimes.shift();
    draw(view, values);
    if (view.judge && data.judge) await judge(view, values, data.judge.column);
  } finally {
    input.delete();
    view.busy = false;
  }
  if (view.pending) {
    view.pending = false;
    requestAnimationFrame(() => decode(view));
  }
}

// The discriminator's probability that the picture is a real training image, under the picture.
async function judge(view, pixels, column) {
  const { lib, model } = view.judge;
  const input = new lib.Tensor(pixels, [1, ...view.data.model.shape]);
  try {
    const [output] = await model.run([input]);
    const score = output.toTypedArray()[column];
    output.delete();
    view.verdict.dataset.score = score.toFixed(4);
    view.verdict.textContent = `Discriminator: ${(100 * score).toFixed(0)}% real`;
    view.verdict.title = "How sure the GAN's discriminator is that this is a real training image";
    if (view.verdict.hidden) {
      view.verdict.hidden = false;
      fitToScreen(view); // one more line under the picture
    }
  } finally {
    input.delete();
  }
}

function drawPlaceholder(view, uri) {
  if (view.compiled || !uri) return;
  const image = new Image();
  image.onload = () => {
    if (view.compiled) return;
    view.canvas.getContext("2d").drawImage(image, 0, 0, view.canvas.width, view.canvas.height);
  };
  image.src = uri;
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  let view = shared.views.get(key);
  if (!view || view.structure !== structure(data) || !parentElement.contains(view.root)) {
    view?.resized?.disconnect(); // the block it watched is gone
    view = build(parentElement, data);
    shared.views.set(key, view);
    const report = () => {
      view.active = null;
      setStateValue("position", currentValues(view));
    };
    for (const entry of view.inputs.values()) {
      const { input } = entry;
      input.addEventListener("pointerdown", () => (view.active = input.dataset.id));
      input.addEventListener("input", () => {
        view.moves += 1;
        view.fromPython.delete(entry.spec.id); // the person's value now, not Python's
        showValue(entry);
        requestAnimationFrame(() => decode(view));
      });
      input.addEventListener("change", report); // the end of a drag, or a key press
    }
    view.root.__liveView = view; // for the benchmark and the tests: frame count, decode times
    view.resized = new ResizeObserver(() => {
      view.planeBox = null; // the page's width changed: the plane's plot area may have moved
      fitToScreen(view);
    });
    view.resized.observe(document.body);
    view.resized.observe(view.zLine); // the z line wrapped or unwrapped
  }
  view.data = data;
  view.root.classList.toggle("large", Boolean(data.large));
  view.canvas.style.width = `${data.pixels}px`;
  view.caption.textContent = data.caption || "";
  view.caption.hidden = !data.caption;
  view.zLine.hidden = !data.showZ;
  requestAnimationFrame(() => {
    fitToScreen(view);
    followPlane(view);
  });
  // Values Python changed (a button, a link, a click on the map) move the sliders. A value Python only
  // heard from the page does not move a slider the person has moved since (a held key is steps ahead
  // of the reruns answering it); nor does any value move the slider being dragged. A new block takes
  // every value.
  let changed = false;
  const fresh = Object.keys(view.received).length === 0;
  for (const [id, entry] of view.inputs) {
    const value = data.values[id];
    const echo = data.heard && data.heard[id] === value && !view.fromPython.has(id);
    const moved = fresh || (value !== view.received[id] && !echo && id !== view.active);
    if (moved && Number(entry.input.value) !== value) {
      entry.input.value = value;
      view.fromPython.add(id);
      changed = true;
    }
    view.received[id] = value;
    showValue(entry);
  }
  drawPlaceholder(view, data.placeholder);
  if (!data.judge) view.verdict.hidden = true;
  else if (!view.judging || view.judging.url !== data.judge.url) {
    view.judging = { url: data.judge.url };
    loadModel(data.runtime, data.judge.url).then(
      (compiled) => {
        view.judge = compiled;
        decode(view);
      },
      (error) => console.warn("The discriminator could not load in the page.", error),
    );
  }
  const fixed = JSON.stringify([data.base, data.suffix]);
  if (fixed !== view.fixed) {
    view.suffix = new Float32Array(data.suffix.size);
    data.suffix.at.forEach((index, k) => {
      view.suffix[index] = data.suffix.values[k];
    });
  }
  if (view.compiled) {
    if (changed || fixed !== view.fixed) decode(view);
  } else if (!view.loading) {
    view.loading = loadModel(data.runtime, data.model.url).then(
      (compiled) => {
        view.compiled = compiled;
        view.root.dataset.state = "live";
        decode(view);
      },
      (error) =>
        reportFailure(view, setStateValue, error, "The in-browser model could not load; the server draws instead."),
    );
  }
  view.fixed = fixed;
}
