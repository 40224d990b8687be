"""Benchmark: `python -m tools bench` measures, in one run, what the README's table reports.

1. One decode through the serving path (LiteRT) against `keras.Model.predict`, the eager call
   and `tf.function`, in the same process (TensorFlow rows are skipped when it is not installed);
   the same for one generated image of each shipped GAN and of a 64×64 colour generator.
2. Cold start: from spawning `streamlit run` to the first decoded image on /vae in Chromium.
3. The app process's peak memory (VmHWM) after /vae and /gan have been used.
4. Slider key press -> new image in headless Chromium, against the same Streamlit round trip
   that only prints text: the /vae page with its decoded image left out (bench/text_floor.py),
   the floor Streamlit itself sets; and, for reference, the slider fragment alone
   (bench/sliders_floor.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from tools.local_server import CHROMIUM, CHROMIUM_FLAGS, ROOT, free_port, start_streamlit
from tools.processes import peak_memory_mb
from tools.timing import summarize, time_calls

IMAGE = "[data-testid='stImage'] img"


def bench_decode(checkpoint: Path) -> dict:
    from explorer.checkpoint import CheckpointError
    from explorer.serving.models import ImageAutoencoder

    served = ImageAutoencoder.from_folder(checkpoint)
    z = np.random.default_rng(0).standard_normal((1, served.latent_dim)).astype("float32")
    rows = {"LiteRT (serving path)": time_calls(lambda: served.decode_latents(z), 500)}
    try:
        import keras
        import tensorflow as tf

        from explorer.models.loading import load_keras_model
    except ImportError:
        print("TensorFlow is not installed: only the serving path is measured.")
        return rows
    try:
        decoder = load_keras_model(served.checkpoint).decoder
    except CheckpointError:  # git ships no Keras weights; the timing depends only on the architecture
        from explorer.models.vae import VAE

        print("No Keras weights next to the checkpoint: timing the same architecture, freshly initialised.")
        decoder = VAE(served.checkpoint.config).decoder
    compiled = tf.function(decoder)
    rows["keras.Model.predict"] = time_calls(lambda: decoder.predict(z, verbose=0), 50)
    rows["eager call"] = time_calls(lambda: keras.ops.convert_to_numpy(decoder(z)), 200)
    rows["tf.function"] = time_calls(lambda: compiled(z).numpy(), 500)
    return rows


def bench_generate(checkpoints: list[Path]) -> dict:
    """One image through each shipped GAN's serving path against `keras.Model.predict`, plus a
    64×64 colour generator of the same family (the issue's target size), freshly initialised."""
    from explorer.config import GANConfig
    from explorer.serving.models import ImageGenerator

    rows = {}
    try:
        import tensorflow as tf

        from explorer.config import default_generator_filters
        from explorer.models.gan import build_generator
        from explorer.training.export import export_function
    except ImportError:
        tf = None
    configs = {}
    for folder in checkpoints:
        served = ImageGenerator.from_folder(folder)
        z = np.random.default_rng(0).standard_normal((1, served.latent_dim)).astype("float32")
        shape = "×".join(map(str, served.image_shape))
        rows[f"{served.name} ({shape}): LiteRT"] = time_calls(lambda: served.generate(z), 500)
        configs[f"{served.name} ({shape})"] = served.checkpoint.config
    if tf is None:
        print("TensorFlow is not installed: only the serving path is measured.")
        return rows
    import tempfile

    from explorer.serving.runtime import LiteModel

    big = GANConfig(
        image_shape=(64, 64, 3),
        latent_dim=128,
        generator_filters=default_generator_filters(64),
        upsampling="nearest",
        batch_norm=True,
    )  # what `train gan --image-size 64` builds
    with tempfile.TemporaryDirectory() as folder:
        generator = build_generator(big)
        export_function(
            lambda z: generator(z, training=False),
            tf.TensorSpec([None, big.latent_dim], tf.float32),
            Path(folder) / "g.tflite",
        )
        served = LiteModel(Path(folder) / "g.tflite")
        z = np.random.default_rng(0).standard_normal((1, big.latent_dim)).astype("float32")
        rows["64×64×3, same family, untrained: LiteRT"] = time_calls(lambda: served(z), 500)
    configs["64×64×3, same family, untrained"] = big
    for name, config in configs.items():  # git ships no Keras weights; timing depends only on the architecture
        generator = build_generator(config)
        z = np.random.default_rng(0).standard_normal((1, config.latent_dim)).astype("float32")
        compiled = tf.function(generator)
        rows[f"{name}: keras.Model.predict"] = time_calls(lambda: generator.predict(z, verbose=0), 50)
        rows[f"{name}: tf.function"] = time_calls(lambda: compiled(z).numpy(), 300)
    return rows


def key_press_latencies(page, probe: tuple[str, str], repeats: int, key: str | None = None) -> list[float]:
    """Seconds from an arrow-key press on a slider (the one keyed `key`, else the first) until the page
    has changed.

    `probe` is (JS expression reading the current state, JS condition on `before` that holds once
    the new state is on screen).
    """
    read_state, changed = probe
    slider = (page.locator(f".st-key-{key}") if key else page).get_by_role("slider").first
    seconds = []
    for index in range(repeats + 2):
        slider.focus()
        before = page.evaluate(read_state)
        started = time.perf_counter()
        page.keyboard.press("ArrowRight" if index % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"before => {changed}", arg=before, timeout=30_000)
        if index >= 2:  # the first presses warm the page's caches
            seconds.append(time.perf_counter() - started)
        page.wait_for_timeout(250)  # let the rerun settle (and Playwright handle its events)
    return seconds


def use_every_part(page) -> None:
    """Touch every section of /vae, so the peak memory covers the whole page, not only the sliders."""
    import io

    from PIL import Image, ImageDraw

    drawing = Image.new("RGB", (240, 320), "white")
    ImageDraw.Draw(drawing).line([(40, 50), (190, 50), (100, 290)], fill="black", width=22)
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    page.get_by_role("button", name="Random sample").click()
    page.get_by_text("Latent traversal around this vector").click()
    page.get_by_role("tab", name="Upload your own").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        files=[{"name": "seven.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
    )
    page.get_by_text("what the model saw").last.wait_for(timeout=30_000)
    page.get_by_role("tab", name="Interpolate").click()
    page.get_by_text("spherical").click()
    page.get_by_role("tab", name="Autoencoder vs VAE").click()
    page.get_by_text("plain autoencoder: the same 8 points").wait_for(timeout=30_000)
    page.get_by_role("button", name="Random sample").click()
    page.wait_for_timeout(2_000)


def bench_browser(model_name: str, repeats: int) -> dict:
    from playwright.sync_api import sync_playwright

    results = {}
    # The new image counts once the browser has loaded it, not when its address changes.
    image = f'document.querySelector("{IMAGE}")'
    image_probe = (f"{image}.src", f"(img => img.src !== before && img.complete && img.naturalWidth > 0)({image})")
    vector_text = "Array.from(document.querySelectorAll('p')).find(p => p.innerText.startsWith('z = ['))?.innerText"
    text_probe = (vector_text, f"{vector_text} !== before")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        starts = []
        for _ in range(3):
            port = free_port()
            spawned = time.perf_counter()
            server = start_streamlit("streamlit_app.py", port)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/vae?model={model_name}&runtime=server")  # the server path
            page.locator(IMAGE).first.wait_for(timeout=120_000)
            starts.append(time.perf_counter() - spawned)
            if len(starts) < 3:
                page.close()
                server.terminate()
                server.wait()
        results["cold start to first image on /vae"] = summarize(starts)
        results["slider key press -> new image (/vae)"] = summarize(key_press_latencies(page, image_probe, repeats))
        use_every_part(page)
        page.goto(page.url.split("/vae")[0] + "/gan?model=mnist-gan&runtime=server")
        page.locator(IMAGE).first.wait_for(timeout=60_000)
        # A direction slider reruns the sample's fragment; ψ reruns the page, open Directions tab included.
        results["slider key press -> new image (/gan, mnist-gan)"] = summarize(
            key_press_latencies(page, image_probe, repeats, key="d1")
        )
        results["ψ slider key press -> new image (/gan, whole page)"] = summarize(
            key_press_latencies(page, image_probe, repeats, key="psi")
        )
        results["peak memory of the app process (MB)"] = {"peak_mb": peak_memory_mb(server.pid)}
        page.close()
        server.terminate()
        server.wait()

        floors = {
            "slider key press -> new text (floor)": "bench/text_floor.py",
            "slider key press -> new text, sliders alone": "bench/sliders_floor.py",
        }
        for name, script in floors.items():
            port = free_port()
            server = start_streamlit(script, port)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/?model={model_name}")
            page.get_by_role("slider").first.wait_for(timeout=60_000)
            results[name] = summarize(key_press_latencies(page, text_probe, repeats))
            page.close()
            server.terminate()
            server.wait()
        browser.close()
    return results


def run_bench(args) -> int:
    from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
    from tools.bench_live import bench_live, print_live

    if args.live:
        results = bench_live(args.repeats)
        print_live(results)
        (ROOT / "bench" / "live.json").write_text(json.dumps(results, indent=2) + "\n")
        return 0

    gans = [c.folder for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0]]
    if args.training:
        from tools.bench_training import bench_training, print_training

        results = bench_training(gans)
        print_training(results)
        (ROOT / "bench" / "training.json").write_text(json.dumps(results, indent=2) + "\n")
        return 0
    results = {
        "decode (one 1-image batch)": bench_decode(args.checkpoint),
        "generate (one image)": bench_generate(gans),
    }
    if not args.skip_browser:
        results.update(bench_browser(Path(args.checkpoint).name, args.repeats))
        results.update(bench_live(args.repeats))
    if not args.skip_projector:
        from tools.bench_projector import bench_projector

        results.update(bench_projector())
    texts = list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0]
    if texts:
        from tools.bench_text import bench_text

        results.update(bench_text(texts[0].folder, browser=not args.skip_browser))
    print_table(results)
    print_live(results)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWrote {out.relative_to(ROOT)}")
    return 0


def print_table(results: dict) -> None:
    decode = results["decode (one 1-image batch)"]
    naive = decode.get("keras.Model.predict", {}).get("median_ms")
    print("| measurement | median | p95 | vs naive |\n|---|---|---|---|")
    for name, row in decode.items():
        ratio = f"{naive / row['median_ms']:.0f}× faster" if naive else "—"
        print(f"| decode: {name} | {row['median_ms']:.3f} ms | {row['p95_ms']:.3f} ms | {ratio} |")
    generate = results.get("generate (one image)", {})
    for name, row in generate.items():
        model = name.rsplit(": ", 1)[0]
        naive = generate.get(f"{model}: keras.Model.predict", {}).get("median_ms")
        ratio = f"{naive / row['median_ms']:.0f}× faster" if naive else "—"
        print(f"| generate: {name} | {row['median_ms']:.3f} ms | {row['p95_ms']:.3f} ms | {ratio} |")
    floor = results.get("slider key press -> new text (floor)", {}).get("median_ms")
    for name, row in results.items():
        if name.startswith(("decode", "generate")):
            continue
        if "peak_mb" in row:
            print(f"| {name} | {row['peak_mb']:.0f} MB | | |")
            continue
        if "chars_per_s" in row:
            naive = results.get("text: tutorial tf.function OneStep (chars/s)", {}).get("chars_per_s")
            ratio = f"{row['chars_per_s'] / naive:.1f}× the tutorial" if naive else "—"
            print(f"| {name} | {row['chars_per_s']:,.0f} chars/s | p5 {row['chars_per_s_p5']:,.0f} | {ratio} |")
            continue
        ratio = f"{row['median_ms'] / floor:.2f}× the floor" if floor and "slider" in name else "—"
        print(f"| {name} | {_duration(row['median_ms'])} | {_duration(row['p95_ms'])} | {ratio} |")


def _duration(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 2000 else f"{ms:.0f} ms"
