"""Projector benchmark: UMAP and t-SNE on 10,000 points, cold and warm; page open to first plot;
the memory the page adds to the app process. Part of `python -m tools bench`.

Cold means a fresh Python process: `import umap` and numba's first compilation are part of the
price a person pays the first time they press Run after the server starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from tools.local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, free_port, start_streamlit
from tools.processes import peak_memory_mb, resident_mb

POINTS = 10_000
WARM_RUNS = 3
PAGE_OPENS = 5
SMALL_RUNS = 3
PLOT_READY = ".js-plotly-plot .legendtext"


def benchmark_vectors(points: int = POINTS) -> np.ndarray:
    """The shipped digit embedding (9,000 × 16), topped up to `points` with jittered copies."""
    from explorer.projector.embedding import load_embedding

    vectors = load_embedding(ROOT / "checkpoints" / "mnist-vae-16d", "mnist-vae-16d").vectors
    rng = np.random.default_rng(0)
    extra = vectors[rng.integers(0, len(vectors), max(0, points - len(vectors)))]
    return np.concatenate([vectors, extra + rng.normal(0, 0.05, extra.shape).astype("float32")])[:points]


def time_fits(method: str) -> dict:
    """In this (fresh) process: import time, the first fit, then warm fits with other seeds.

    `umap-small` fits 24 points once, as a visitor's small upload does in a cold worker.
    """
    from explorer.projector.loaders import import_umap
    from explorer.projector.projection import ProjectionParams, project

    small = method == "umap-small"
    vectors = benchmark_vectors()[:24] if small else benchmark_vectors()
    method = "umap" if small else method
    started = time.perf_counter()
    import_umap() if method == "umap" else __import__("openTSNE")
    imported = time.perf_counter() - started
    fits = []
    for seed in range(1 if small else 1 + WARM_RUNS):
        started = time.perf_counter()
        project(vectors, ProjectionParams(method, 2, seed=seed))
        fits.append(time.perf_counter() - started)
    return {"import_s": imported, "first_fit_s": fits[0], "warm_fit_s": fits[1:]}


def fits_in_fresh_process(method: str, environment: dict | None = None) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "tools.bench_projector", method],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
        env=environment,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def small_umap_in_fresh_process(cache_dir: str) -> float:
    """A cold worker's first UMAP (24 points, as an upload): import and fit, with numba's cache in `cache_dir`."""
    import os

    timing = fits_in_fresh_process("umap-small", {**os.environ, "NUMBA_CACHE_DIR": cache_dir})
    return timing["import_s"] + timing["first_fit_s"]


def small_umap_cold_and_cached(runs: int = SMALL_RUNS) -> dict:
    """The worker's cold start on a small upload: numba's cache empty (a new deploy) vs filled (every later start)."""
    import tempfile

    from tools.timing import summarize

    empty, filled = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache_dir:
            empty.append(small_umap_in_fresh_process(cache_dir))
            filled.append(small_umap_in_fresh_process(cache_dir))
    return {
        "UMAP, 24 × 16 in a fresh worker: numba cache empty (first after a deploy)": summarize(empty),
        "UMAP, 24 × 16 in a fresh worker: numba cache filled (every later start)": summarize(filled),
    }


def page_and_memory() -> dict:
    """Page open → first plot (shipped 9,000-digit embedding), and the app's memory before and after."""
    from playwright.sync_api import sync_playwright

    from tools.timing import summarize

    def rss_mb(pid: int) -> float:
        return peak_memory_mb(pid, "VmRSS")

    results = {}
    port = free_port()
    server = start_streamlit("streamlit_app.py", port)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        for path in ("/vae?model=mnist-vae-16d", "/gan?model=mnist-gan", "/gan?model=emoji-gan"):
            page.goto(base + path)
            page.locator("[data-testid='stImage'] img").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1_000)
        before = rss_mb(server.pid)
        opens = {"PCA": [], "UMAP": []}
        for index in range(PAGE_OPENS + 1):
            for method in opens:
                started = time.perf_counter()
                page.goto(f"{base}/projector?data=mnist-vae-16d&method={method}")
                page.locator(PLOT_READY).first.wait_for(timeout=120_000)
                if index:  # the first open also loads the embedding file: reported apart
                    opens[method].append(time.perf_counter() - started)
                else:
                    results[f"first open of /projector ({method}, 9,000 points, embedding not yet loaded)"] = summarize(
                        [time.perf_counter() - started]
                    )
        for method, seconds in opens.items():
            results[f"page open -> first plot, /projector {method} (9,000 points)"] = summarize(seconds)
        page.goto(f"{base}/projector?data=emoji-vae-16d&method=t-SNE")
        page.locator(PLOT_READY).first.wait_for(timeout=120_000)
        shipped = rss_mb(server.pid)
        page.goto(
            f"{base}/projector?data=mnist-vae-16d&method=UMAP&projection_seed=7"
        )  # a new UMAP: the worker fits it
        page.locator(PLOT_READY).first.wait_for(timeout=600_000)
        page.wait_for_timeout(1_000)
        results["memory: app process before /projector (MB)"] = {"peak_mb": before}
        results["memory: + both shipped embeddings and their projections (MB)"] = {"peak_mb": shipped}
        results["memory: app process after a new UMAP (fitted in the worker) (MB)"] = {"peak_mb": rss_mb(server.pid)}
        results["memory: the projection worker after it (MB; it exits after 3 idle minutes)"] = {
            "peak_mb": resident_mb(server.pid) - rss_mb(server.pid)
        }
        browser.close()
    server.terminate()
    server.wait()
    return results


def bench_projector() -> dict:
    from tools.timing import summarize

    results = {}
    for method, name in (("umap", "UMAP"), ("tsne", "t-SNE")):
        timing = fits_in_fresh_process(method)
        results[f"{name}, 10,000 × 16: import (fresh process)"] = summarize([timing["import_s"]])
        results[f"{name}, 10,000 × 16: first fit (cold)"] = summarize([timing["first_fit_s"]])
        results[f"{name}, 10,000 × 16: warm fit"] = summarize(timing["warm_fit_s"])
    results.update(small_umap_cold_and_cached())
    results.update(page_and_memory())
    return results


if __name__ == "__main__":
    print(json.dumps(time_fits(sys.argv[1])))
