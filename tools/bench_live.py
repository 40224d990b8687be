"""The live sliders in headless Chromium: pictures per second during a drag, decode time in the page,
messages to the server, first-visit bytes and time to the first picture, and the server path beside it.

    python -m tools bench --live      (part of `python -m tools bench`; a few minutes)

Every figure comes from one run, the server path measured in the same run as its comparison.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from tools.timing import summarize

DRAG_SECONDS = 1.5
PAGES = [
    "/vae?model=mnist-vae-2d",
    "/vae?model=mnist-vae-16d",
    "/vae?model=emoji-vae-16d",
    "/gan?model=mnist-gan",
    "/gan?model=mnist-cgan",
    "/gan?model=emoji-gan",
]
LIVE = ".live[data-state='live']"
FRAMES = (
    "() => Number([...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected).canvas.dataset.frames)"
)
MOVES = "() => [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected).moves"
# A drag at the display's pace: the second slider moved by one step at every animation frame, as a
# mouse held on it would move it, for DRAG_SECONDS; resolves to the frames and pictures in that time.
FRAME_DRAG = """seconds => new Promise(resolve => {
    const view = [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected);
    const input = [...view.inputs.values()][1].input;
    const pictures = Number(view.canvas.dataset.frames);
    const started = performance.now();
    let frames = 0;
    const tick = () => {
        const t = (performance.now() - started) / 1000;
        if (t >= seconds) {
            resolve({frames, pictures: Number(view.canvas.dataset.frames) - pictures, seconds: t});
            return;
        }
        frames += 1;
        input.value = Number(input.min) + (Number(input.max) - Number(input.min)) * (0.5 + 0.5 * Math.sin(3 * t));
        input.dispatchEvent(new Event("input", {bubbles: true}));
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""
DECODES = "() => [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected).decodeTimes.slice()"


def bench_live(repeats: int = 10) -> dict:
    from playwright.sync_api import sync_playwright

    from tools.local_server import free_port, start_streamlit

    port = free_port()
    server = start_streamlit("streamlit_app.py", port)
    url = f"http://127.0.0.1:{port}"
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            for address in PAGES:
                results[address] = measure_page(browser, url + address, repeats)
            results["/text"] = measure_text(browser, url, repeats=3)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"live sliders": results}


def measure_page(browser, address: str, repeats: int) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # an empty cache: a first visit
    page = context.new_page()
    transferred = watch_bytes(context, page)
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.monotonic())))
    started = time.perf_counter()
    page.goto(address)
    page.locator(LIVE).first.wait_for(timeout=120_000)
    page.wait_for_function(f"() => ({FRAMES})() > 0", timeout=60_000)
    first_picture = time.perf_counter() - started
    _idle(page)
    first_bytes = dict(transferred)
    drags = [drag(page, sent) for _ in range(3)]
    paced = [page.evaluate(FRAME_DRAG, DRAG_SECONDS) for _ in range(3)]
    decode_ms = page.evaluate(DECODES)
    keys_live = key_presses(page, repeats, live=True)
    transferred.clear()
    page.reload()
    page.locator(LIVE).first.wait_for(timeout=60_000)
    page.wait_for_function(f"() => ({FRAMES})() > 0", timeout=60_000)
    second_bytes = dict(transferred)
    page.goto(address + "&runtime=server")  # the server path, in the same run
    page.locator("[class*='st-key-on_screen'] img").first.wait_for(timeout=60_000)
    _idle(page)
    keys_server = key_presses(page, repeats, live=False)
    context.close()
    return {
        "pictures per second while dragging": statistics.median(d["pictures_per_second"] for d in drags),
        "mouse moves per second while dragging": statistics.median(d["moves_per_second"] for d in drags),
        "pictures per second, a move every animation frame": statistics.median(
            p["pictures"] / p["seconds"] for p in paced
        ),
        "animation frames per second": statistics.median(p["frames"] / p["seconds"] for p in paced),
        "messages while the button is held": max(d["held"] for d in drags),
        "messages on release": max(d["release"] for d in drags),
        "decode in the page": summarize(np.asarray(decode_ms) / 1000),
        "key press -> new picture (in the page)": keys_live,
        "key press -> new picture (server path)": keys_server,
        "first visit: seconds to the first picture": round(first_picture, 2),
        "first visit: KB transferred (runtime + model, compressed)": round(
            (first_bytes.get("runtime", 0) + first_bytes.get("model", 0)) / 1024
        ),
        "first visit: KB of the model": round(first_bytes.get("model", 0) / 1024),
        "first visit: KB of everything (runtime, model, Streamlit's files, the socket)": round(
            sum(first_bytes.values()) / 1024
        ),
        "second visit: KB transferred (runtime + model)": round(
            (second_bytes.get("runtime", 0) + second_bytes.get("model", 0)) / 1024
        ),
    }


TEXT_VIEW = "() => [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected && v.text)"


def measure_text(browser, url: str, repeats: int, length: int = 1000) -> dict:
    """Generate → first character on screen, and characters per second, written in the page; the
    same on the server path (streamed by Streamlit), in the same run."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    rows = {}
    for path in ("in the page", "server path"):
        query = f"/text?length={length}&text_seed=1" + ("&runtime=server" if path == "server path" else "")
        page.goto(url + query)
        if path == "in the page":
            page.locator(".live-text[data-state='live']").wait_for(timeout=120_000)
            started_js = f"() => ({TEXT_VIEW})().text.textContent"
        else:
            page.locator(".st-key-output").wait_for(timeout=120_000)
            started_js = "() => document.querySelector('.st-key-output code')?.innerText ?? ''"
        _idle(page)
        first, speed = [], []
        for _ in range(repeats):
            before = page.evaluate(started_js)
            started = time.perf_counter()
            page.get_by_role("button", name="Generate").click()
            page.wait_for_function(
                f"before => {{ const t = ({started_js})(); return t.length > 0 && t !== before"
                " && !t.startsWith('The text appears'); }",
                arg=before,
                timeout=60_000,
                polling="raf",
            )
            first.append(time.perf_counter() - started)
            page.wait_for_function(f"n => ({started_js})().length >= n", arg=length, timeout=120_000)
            speed.append(length / (time.perf_counter() - started))
            _idle(page)
        rows[path] = {"click -> first character": summarize(first), "characters per second": statistics.median(speed)}
    context.close()
    return rows


def watch_bytes(context, page) -> dict:
    """Bytes that came over the network (not from the browser's cache), by kind: the LiteRT.js runtime,
    the models, the app's page and Streamlit's own files (`app`), and what the server sent over the
    WebSocket (`socket`: the pages' elements, pictures and plots among them). Everything a visit pays."""
    totals: dict = {}
    kinds: dict = {}
    session = context.new_cdp_session(page)
    session.send("Network.enable")

    def on_response(event):
        url = event["response"]["url"]
        kind = "runtime" if "/runtime/" in url else "model" if "/models/" in url else "app"
        if (
            url.startswith("http")
            and not event["response"].get("fromDiskCache")
            and not event["response"].get("fromMemoryCache")
        ):
            kinds[event["requestId"]] = kind

    def on_finished(event):
        kind = kinds.pop(event["requestId"], None)
        if kind:
            totals[kind] = totals.get(kind, 0) + event["encodedDataLength"]

    def on_frame(event):
        totals["socket"] = totals.get("socket", 0) + len(event["response"]["payloadData"])

    session.on("Network.responseReceived", on_response)
    session.on("Network.loadingFinished", on_finished)
    session.on("Network.webSocketFrameReceived", on_frame)
    return totals


def drag(page, sent: list) -> dict:
    """Hold the second slider and move it across for DRAG_SECONDS, as fast as the browser takes moves."""
    slider = page.locator(".live input[type=range]").nth(1)
    box = slider.bounding_box()
    x, y = box["x"] + 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    before, moves, held_from = page.evaluate(FRAMES), page.evaluate(MOVES), len(sent)
    started = time.perf_counter()
    step = 0
    while time.perf_counter() - started < DRAG_SECONDS:
        step += 1
        fraction = (step % 60) / 60
        page.mouse.move(x + (box["width"] - 4) * (fraction if (step // 60) % 2 == 0 else 1 - fraction), y)
    seconds = time.perf_counter() - started
    frames, moved = page.evaluate(FRAMES) - before, page.evaluate(MOVES) - moves
    held = len(sent) - held_from
    page.mouse.up()
    page.wait_for_timeout(1500)
    _idle(page)
    return {
        "pictures_per_second": frames / seconds,
        "moves_per_second": moved / seconds,
        "held": held,
        "release": len(sent) - held_from - held,
    }


def key_presses(page, repeats: int, live: bool) -> dict:
    """ArrowRight/ArrowLeft on a slider until the picture changes: the page's own model, or the server's."""
    seconds = []
    if live:
        target = page.locator(".live input[type=range]").nth(1)
        changed = f"n => ({FRAMES})() > n"
    else:
        target = page.locator("[data-testid='stSlider'] input").nth(1)
        changed = "src => document.querySelector(\"[class*='st-key-on_screen'] img\").src !== src"
    for index in range(repeats):
        target.focus()
        before = (
            page.evaluate(FRAMES)
            if live
            else page.locator("[class*='st-key-on_screen'] img").first.get_attribute("src")
        )
        started = time.perf_counter()
        page.keyboard.press("ArrowRight" if index % 2 == 0 else "ArrowLeft")
        page.wait_for_function(changed, arg=before, timeout=60_000, polling="raf")
        seconds.append(time.perf_counter() - started)
        _idle(page)
    return summarize(seconds)


def _idle(page) -> None:
    page.wait_for_function(
        "() => { const app = document.querySelector('[data-test-script-state]');"
        " return !!app && app.dataset.testScriptState === 'notRunning'; }",
        timeout=60_000,
    )


def print_live(results: dict) -> None:
    print(
        "\n| page | pictures/s, mouse drag (its moves/s) | pictures/s, a move every frame (frames/s) "
        "| decode in page (median / p95) | key → picture, page | key → picture, server"
        " | messages held / release | first visit (s, KB) | second visit KB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    text = results.get("live sliders", {}).get("/text")
    for address, row in results.get("live sliders", {}).items():
        if address == "/text":
            continue
        decode, live, server = (
            row["decode in the page"],
            row["key press -> new picture (in the page)"],
            row["key press -> new picture (server path)"],
        )
        print(
            f"| `{address}` | {row['pictures per second while dragging']:.0f} "
            f"({row['mouse moves per second while dragging']:.0f}) | "
            f"{row['pictures per second, a move every animation frame']:.0f} "
            f"({row['animation frames per second']:.0f}) | {decode['median_ms']:.2f} / "
            f"{decode['p95_ms']:.2f} ms | {live['median_ms']:.0f} ms | {server['median_ms']:.0f} ms "
            f"({server['median_ms'] / live['median_ms']:.0f}×) | {row['messages while the button is held']} / "
            f"{row['messages on release']} | {row['first visit: seconds to the first picture']} s, "
            f"{row['first visit: KB transferred (runtime + model, compressed)']:,} KB | "
            f"{row['second visit: KB transferred (runtime + model)']} |"
        )
    if text:
        print("\n| /text (1,000 characters) | click → first character (median / p95) | characters per second |")
        print("|---|---|---|")
        for path, row in text.items():
            first = row["click -> first character"]
            print(
                f"| {path} | {first['median_ms']:.0f} / {first['p95_ms']:.0f} ms | {row['characters per second']:,.0f} |"
            )


def drags_side_by_side(addresses: dict[str, str], rounds: int = 5) -> dict:
    """The same mouse drag on several pages (or one page on several servers: before and after a change),
    taking turns, `rounds` each, in one Chromium: pictures per second, median and worst."""
    from playwright.sync_api import sync_playwright

    from tools.local_server import CHROMIUM, CHROMIUM_FLAGS

    rates: dict[str, list] = {label: [] for label in addresses}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for _ in range(rounds):
            for label, address in addresses.items():
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(address)
                page.locator(LIVE).first.wait_for(timeout=120_000)
                page.wait_for_function(f"() => ({FRAMES})() > 0", timeout=60_000)
                _idle(page)
                rates[label].append(drag(page, [])["pictures_per_second"])
                page.close()
        browser.close()
    return {label: {"median": statistics.median(r), "worst": min(r), "runs": len(r)} for label, r in rates.items()}


def main(argv: list[str] | None = None) -> int:
    """`python -m tools.bench_live LABEL=URL ...`: drags_side_by_side over those pages."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tools.bench_live", description=drags_side_by_side.__doc__)
    parser.add_argument("pages", nargs="+", metavar="LABEL=URL")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    addresses = dict(page.split("=", 1) for page in args.pages)
    for label, rate in drags_side_by_side(addresses, args.rounds).items():
        print(f"{label}: {rate['median']:.1f} pictures/s median, {rate['worst']:.1f} worst, {rate['runs']} drags")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
