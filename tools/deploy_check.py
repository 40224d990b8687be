"""Deploy the way Streamlit Community Cloud does, and measure it: `python -m tools.deploy_check`.

1. Clone the committed repository (only what git holds, as Cloud sees it) into a temporary folder.
2. Create a fresh virtual environment there and install `requirements.txt` alone: no TensorFlow,
   no test tools. Report the install time and the environment's size on disk.
3. `streamlit run streamlit_app.py` with that environment, and use every page in headless
   Chromium: a slider on /vae and /gan, both shipped embeddings on /projector with a colour change
   and a hover, a generation on /text. Any exception on a page fails the check.
4. Report the cold start (spawn to the home page's live-decoded picture), and the app process's
   peak and final memory after every page has been used.

Options: `--repo URL_OR_PATH` checks another clone or branch;
`--venv PATH` reuses an environment made by an earlier run (skips step 2's timing);
`--json PATH` writes the figures. Playwright runs from the environment that runs this script.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, free_port, start_streamlit
from tools.processes import peak_memory_mb

IMAGE = "[data-testid='stImage'] img"
LIVE_FRAMES = (
    "() => Number([...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected).canvas.dataset.frames)"
)
PLOT = ".st-key-plot .js-plotly-plot"
MEMORY_TARGET_MB = 400  # issue 6: the app process after every page has been used


def clone_committed(target: Path, repository: Path | str = ROOT) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(repository), str(target)], check=True)
    return target


def fresh_environment(app: Path, venv: Path) -> dict:
    """A new virtual environment with requirements.txt alone; its install time and size."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(app / "requirements.txt"),
        ],
        check=True,
    )
    return {"install_seconds": time.perf_counter() - started}


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink()) / 2**20


def has_tensorflow(python: Path) -> bool:
    probe = subprocess.run([str(python), "-c", "import tensorflow"], capture_output=True)
    return probe.returncode == 0


def wait_for_one(page, selector: str, seconds: float = 60) -> None:
    """Until exactly one `selector` has stood for 1.5 s: mid-rerun, the old element and the new are both there."""
    steady, deadline = 0, time.monotonic() + seconds
    while steady < 3:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{selector} did not settle to one element within {seconds:.0f} s")
        steady = steady + 1 if page.locator(selector).count() == 1 else 0
        page.wait_for_timeout(500)


def use_every_page(page, base: str, memory_mb) -> list[tuple[str, float]]:
    """Drive each page as a workshop attendee would; each step done, with the app's memory after it."""
    done = []

    def check(step: str) -> None:
        failures = page.locator("[data-testid='stException']").count() + page.get_by_text("Traceback").count()
        if failures:
            raise RuntimeError(f"{step}: the page shows an exception")
        done.append((step, memory_mb()))

    def move_first_slider() -> None:
        """In the browser: the page's own model draws the new picture (web/components/live_sliders.js)."""
        frames = LIVE_FRAMES
        page.locator(".live[data-state='live']").first.wait_for(timeout=120_000)
        page.wait_for_function(f"() => ({frames})() > 0", timeout=60_000)
        before = page.evaluate(frames)
        page.locator(".live input[type=range]").nth(1).focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"n => ({frames})() > n", arg=before, timeout=60_000)

    for path in ("/vae?model=mnist-vae-16d", "/gan?model=mnist-gan", "/gan?model=emoji-gan"):
        page.goto(base + path)
        move_first_slider()
        check(f"{path}: slider moved, new picture drawn in the browser")
    for data in ("mnist-vae-16d", "emoji-vae-16d", "shakespeare-charrnn"):
        page.goto(f"{base}/projector?data={data}&method=UMAP")
        page.locator(PLOT).wait_for(timeout=120_000)
        page.get_by_role("combobox", name="Colour by").click()
        page.get_by_role("option").last.click()
        wait_for_one(page, PLOT)
        box = page.locator(PLOT).bounding_box()
        for step in range(12):  # sweep across the plot: hover thumbnails render on the way
            page.mouse.move(box["x"] + box["width"] * (0.2 + step / 20), box["y"] + box["height"] * 0.5)
            page.wait_for_timeout(80)
        check(f"/projector {data}: UMAP, colour changed, hovered")
    page.goto(f"{base}/text?length=400")
    page.locator(".live-text[data-state='live']").wait_for(timeout=120_000)
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("per second in your browser").wait_for(timeout=60_000)  # written in the page
    page.wait_for_timeout(2_000)
    check("/text: 400 characters generated")
    page.goto(base + "/")
    page.locator(IMAGE).first.wait_for(timeout=60_000)
    check("/: home")
    return done


def run(venv: Path | None, keep: bool, repository: Path | str = ROOT) -> dict:
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="deploy-check-"))
    app = clone_committed(workdir / "app", repository)
    results = {}
    if venv is None:
        venv = workdir / "venv"
        results.update(fresh_environment(app, venv))
    python = venv / "bin" / "python"
    results["environment_mb"] = folder_mb(venv)
    results["tensorflow_installed"] = has_tensorflow(python)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            port = free_port()
            spawned = time.perf_counter()
            server = start_streamlit("streamlit_app.py", port, cwd=app, python=python, timeout=120)
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator(IMAGE).first.wait_for(timeout=120_000)
            results["cold_start_seconds"] = time.perf_counter() - spawned
            try:
                results["steps"] = use_every_page(
                    page, f"http://127.0.0.1:{port}", lambda: peak_memory_mb(server.pid, "VmRSS")
                )
                page.wait_for_timeout(2_000)
                results["peak_mb"] = peak_memory_mb(server.pid)
                results["final_mb"] = peak_memory_mb(server.pid, "VmRSS")
            finally:
                server.terminate()
                server.wait(timeout=30)
                browser.close()
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


def report(results: dict) -> None:
    rows = [
        ("install requirements.txt into a fresh environment", f"{results['install_seconds']:.0f} s")
        if "install_seconds" in results
        else None,
        ("size of that environment on disk", f"{results['environment_mb']:.0f} MB"),
        ("TensorFlow installed", "yes (wrong!)" if results["tensorflow_installed"] else "no"),
        ("cold start: spawn -> first page with its picture", f"{results['cold_start_seconds']:.1f} s"),
        ("app process peak memory, every page used", f"{results['peak_mb']:.0f} MB (target ≤ {MEMORY_TARGET_MB})"),
        ("app process memory at the end", f"{results['final_mb']:.0f} MB"),
    ]
    for row in filter(None, rows):
        print(f"| {row[0]} | {row[1]} |")
    print("\n".join(f"  ✓ {step} (app process {mb:.0f} MB)" for step, mb in results["steps"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, help="reuse this environment instead of making a fresh one")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--repo", default=str(ROOT), help="the repository to clone (default: this one)")
    parser.add_argument("--keep", action="store_true", help="keep the clone and environment (prints where)")
    arguments = parser.parse_args(argv)
    results = run(arguments.venv, arguments.keep, arguments.repo)
    report(results)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))
    ok = not results["tensorflow_installed"] and results["peak_mb"] <= MEMORY_TARGET_MB
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
