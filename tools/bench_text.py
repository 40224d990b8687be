"""Text benchmark: sustained generation speed of the served char-RNN against the TensorFlow
tutorial's `tf.function` one-step model, and click → first character on screen in Chromium.
Part of `python -m tools bench`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tools.local_server import CHROMIUM, CHROMIUM_FLAGS, free_port, start_streamlit

CHARS = 2_000
RUNS = 5
CLICKS = 10


def served_speed(folder: Path) -> list[float]:
    """Characters per second through `generate` (LiteRT step, numpy sampling), RUNS times."""
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import generate

    model = CharModel.from_folder(folder)
    speeds = []
    for run in range(RUNS + 1):
        started = time.perf_counter()
        count = sum(1 for _ in generate(model, "ROMEO:\n", CHARS, temperature=0.8, seed=run))
        if run:  # the first run allocates the interpreter
            speeds.append(count / (time.perf_counter() - started))
    return speeds


def tutorial_speed(folder: Path) -> list[float]:
    """The tutorial's OneStep: a tf.function (ids, state) -> (next ids, state), sampling in TensorFlow."""
    import tensorflow as tf

    from explorer.checkpoint import read_checkpoint
    from explorer.models.charrnn import build_charrnn

    checkpoint = read_checkpoint(folder)
    config = checkpoint.config
    model = build_charrnn(config)
    weights = Path(folder) / "model.weights.h5"
    if weights.is_file():  # git ships no Keras weights; the speed does not depend on their values
        model.load_weights(weights)
    embedding, cell, dense = model.get_layer("embedding"), model.get_layer("gru").cell, model.get_layer("logits")

    @tf.function
    def one_step(ids, state):
        output, new_state = cell(embedding(ids), [state], training=False)
        logits = dense(output) / 0.8
        new_state = new_state[0] if isinstance(new_state, (list, tuple)) else new_state
        return tf.squeeze(tf.random.categorical(logits, 1), -1), new_state

    speeds = []
    for run in range(RUNS + 1):
        ids, state = tf.constant([1]), tf.zeros((1, config.units))
        started = time.perf_counter()
        for _ in range(CHARS):
            ids, state = one_step(ids, state)
            int(ids[0])  # the caller needs each character as it comes, to stream it
        if run:
            speeds.append(CHARS / (time.perf_counter() - started))
    return speeds


def click_to_first_character(model_name: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    from explorer.ui.text import OUTPUT_PLACEHOLDER

    output = ".st-key-output code"  # the generated text, streamed into a code block
    seconds = []
    port = free_port()
    server = start_streamlit("streamlit_app.py", port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            for run in range(CLICKS + 1):
                page.goto(f"http://127.0.0.1:{port}/text?model={model_name}&text_seed={run}&length=300&runtime=server")
                button = page.get_by_role("button", name="Generate")
                button.wait_for(timeout=60_000)
                page.wait_for_timeout(300)
                started = time.perf_counter()
                button.click()
                page.wait_for_function(
                    f'p => [...document.querySelectorAll("{output}")]'
                    ".some(e => e.innerText.trim().length > 0 && !e.innerText.startsWith(p))",
                    arg=OUTPUT_PLACEHOLDER[:20],
                    timeout=30_000,
                )
                if run:  # the first click loads the model
                    seconds.append(time.perf_counter() - started)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return seconds


def bench_text(folder: Path, browser: bool = True) -> dict:
    from tools.timing import summarize

    served, tutorial = served_speed(folder), tutorial_speed(folder)
    results = {
        "text: LiteRT step + numpy sampling (chars/s)": _speed_row(served),
        "text: tutorial tf.function OneStep (chars/s)": _speed_row(tutorial),
    }
    if browser:
        results["click Generate -> first character on screen (/text)"] = summarize(
            click_to_first_character(Path(folder).name)
        )
    return results


def _speed_row(speeds: list[float]) -> dict:
    return {
        "chars_per_s": float(np.median(speeds)),
        "chars_per_s_p5": float(np.percentile(speeds, 5)),
        "runs": len(speeds),
    }
