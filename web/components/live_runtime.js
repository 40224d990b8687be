// Shared by the live components (prepended to each by explorer/ui/live.py): one LiteRT.js runtime
// per browser tab, and each model compiled once, kept across reruns and pages in module scope.

globalThis.__latentExplorerLive ??= { runtime: null, models: new Map(), views: new Map() };
const shared = globalThis.__latentExplorerLive;

// This script runs from a blob: address; the app's own paths are resolved against the page's.
const onPage = (path) => new URL(path, window.location.href).href;

function loadRuntime(runtime) {
  if (!shared.runtime) {
    shared.runtime = (async () => {
      const lib = await import(onPage(runtime.module));
      // The runtime prints its INFO lines through printErr: keep them out of the console's errors.
      self.Module = { print: (text) => console.debug(text), printErr: (text) => console.debug(text) };
      await lib.loadLiteRt(onPage(runtime.wasm));
      return lib;
    })();
    shared.runtime.catch(() => {
      shared.runtime = null; // a later page may try again
    });
  }
  return shared.runtime;
}

function loadModel(runtime, url) {
  if (!shared.models.has(url)) {
    const compiled = loadRuntime(runtime).then((lib) =>
      lib.loadAndCompile(onPage(url), { accelerator: "wasm" }).then((model) => ({ lib, model })),
    );
    compiled.catch(() => shared.models.delete(url));
    shared.models.set(url, compiled);
  }
  return shared.models.get(url);
}

// Remove the blocks an earlier mount of this component left in `parentElement` (a model or sliders
// of another shape start again): one block on the page. `parentElement` is the component's shadow
// root, where `querySelector(":scope > …")` matches nothing, so its children are walked instead.
function clearMount(parentElement, className) {
  for (const child of [...parentElement.children]) if (child.classList.contains(className)) child.remove();
}

// The model cannot run in this page: the block says so (its CSS greys it), the console says why, and
// the server is told in at most 200 characters, so that it draws (or writes) instead.
function reportFailure(view, setStateValue, error, note) {
  view.root.dataset.state = "failed";
  if (note) console.warn(note, error);
  setStateValue("failed", String(error?.message || error).slice(0, 200));
}
