// The char-RNN writing in the page: the GRU step runs in LiteRT.js, the sampling (temperature,
// top-k, top-p) in JavaScript, and the text streams at the browser's pace. The server sends the
// uniform random numbers its own path would draw for the seed, so a seed writes the same text here
// and there. When the text is written (or stopped), the state value "result" carries every step
// back to Python once: the characters, and what the model believed at each (for the page's views).
//
// data: {runtime: {module, wasm}, model: {url}, vocabulary, units, top: how many likeliest to keep,
//        job: {run, prompt: ids, uniforms, temperature, topK, topP} or null, shown: text already written}

// `shared`, `onPage`, `loadModel`, `clearMount`: live_runtime.js, prepended.

// The same maths as explorer/maths/sampling.py, in float64 as numpy does it.
function softmax(logits, temperature = 1) {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x / temperature);
  const weights = logits.map((x) => Math.exp(x / temperature - max));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

function descending(probabilities) {
  return probabilities.map((_, i) => i).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}

const ARGMAX_TEMPERATURE = 1e-3; // as explorer/maths/sampling.py: below it, the likeliest character

function distribution(logits, temperature, topK, topP) {
  if (!(temperature >= ARGMAX_TEMPERATURE)) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return logits.map((_, i) => (i === best ? 1 : 0));
  }
  const probabilities = softmax(logits, temperature);
  const order = descending(probabilities);
  const keep = new Array(logits.length).fill(true);
  if (topK > 0 && topK < logits.length) for (const i of order.slice(topK)) keep[i] = false;
  if (topP < 1) {
    let sum = 0;
    let cutoff = order.length;
    for (let j = 0; j < order.length; j++) {
      sum += probabilities[order[j]];
      if (sum >= topP - 1e-9) {
        cutoff = j + 1;
        break;
      }
    }
    for (const i of order.slice(cutoff)) keep[i] = false;
  }
  const kept = probabilities.map((p, i) => (keep[i] ? p : 0));
  const total = kept.reduce((a, b) => a + b, 0);
  return kept.map((p) => p / total);
}

function draw(probabilities, uniform) {
  const cumulative = [];
  let sum = 0;
  for (const p of probabilities) {
    sum += p;
    cumulative.push(sum);
  }
  const target = uniform * sum;
  let index = cumulative.findIndex((c) => c > target); // numpy's searchsorted(side="right")
  if (index < 0) index = cumulative.length - 1;
  return index;
}

async function step(compiled, id, state, size) {
  const { lib, model } = compiled;
  const input = new lib.Tensor(Float32Array.from([id, ...state]), [1, 1 + state.length]);
  try {
    const [output] = await model.run([input]);
    const values = Array.from(output.toTypedArray());
    output.delete();
    return [values.slice(0, size), values.slice(size)];
  } finally {
    input.delete();
  }
}

async function write(view, data) {
  const job = data.job;
  const vocabulary = data.vocabulary;
  view.running = job.run;
  view.stopped = false;
  view.stop.hidden = false;
  view.text.textContent = "";
  const compiled = await view.compiled;
  const started = performance.now();
  let state = new Array(data.units).fill(0);
  let logits = null;
  for (const id of job.prompt) [logits, state] = await step(compiled, id, state, vocabulary.length);
  const result = { run: job.run, ids: [], probabilities: [], topIds: [], topProbabilities: [] };
  let pending = "";
  let flushed = performance.now();
  for (let i = 0; i < job.uniforms.length && !view.stopped; i++) {
    const id = draw(distribution(logits, job.temperature, job.topK, job.topP), job.uniforms[i]);
    const believed = softmax(logits);
    const top = descending(believed).slice(0, data.top);
    result.ids.push(id);
    result.probabilities.push(believed[id]);
    result.topIds.push(top);
    result.topProbabilities.push(top.map((t) => believed[t]));
    pending += vocabulary[id];
    if (i === 0) view.first = performance.now() - started;
    if (i === 0 || performance.now() - flushed > 16) {
      view.text.textContent += pending; // the page shows it at its next frame
      pending = "";
      flushed = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    [logits, state] = await step(compiled, id, state, vocabulary.length);
  }
  view.text.textContent += pending;
  result.seconds = (performance.now() - started) / 1000;
  result.firstCharacterMs = view.first ?? null;
  view.stop.hidden = true;
  view.running = null;
  view.setStateValue("result", result);
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  let view = shared.views.get(key);
  if (!view || !parentElement.contains(view.root)) {
    clearMount(parentElement, "live-text");
    const root = document.createElement("div");
    root.className = "live-text live";
    root.dataset.state = "loading";
    const text = document.createElement("pre");
    text.setAttribute("aria-live", "polite");
    const stop = document.createElement("button");
    stop.type = "button";
    stop.textContent = "Stop";
    stop.hidden = true;
    root.append(text, stop);
    parentElement.append(root);
    // A view's every field, named here.
    view = {
      root, // the block: the text, and the Stop button
      text,
      stop,
      done: new Set(), // the runs (jobs) already written: a rerun does not write them again
      running: null, // the run being written, or null
      stopped: false, // the person pressed Stop
      first: null, // when the first character of the running job appeared, for the benchmark
      compiled: null, // the model's loading promise
      setStateValue: null, // the component's, from its latest mount
    };
    stop.addEventListener("click", () => (view.stopped = true));
    shared.views.set(key, view);
    view.root.__liveView = view;
  }
  view.setStateValue = setStateValue;
  if (!view.compiled) {
    view.compiled = loadModel(data.runtime, data.model.url);
    view.compiled.then(
      () => (view.root.dataset.state = "live"),
      (error) =>
        reportFailure(view, setStateValue, error, "The in-browser model could not load; the server writes instead."),
    );
  }
  const job = data.job;
  if (job && !view.done.has(job.run) && view.running !== job.run) {
    view.done.add(job.run);
    write(view, data).catch((error) => reportFailure(view, setStateValue, error));
  } else if (view.running === null || view.running === undefined) {
    view.text.textContent = data.shown || data.placeholder || "";
  }
}
