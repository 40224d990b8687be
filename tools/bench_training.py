"""Training benchmark: one GAN training step of each shipped GAN's networks with XLA and without,
in the same process (`python -m tools bench --training`). Reports the first step (tracing, and
for XLA compiling) and the steps after it, median and p95. Random images stand in for the data:
a step's cost does not depend on what the pixels are.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from tools.timing import summarize

STEPS = 40
BATCH = 64


def time_steps(config, jit_compile: bool, steps: int = STEPS) -> dict:
    """A fresh GAN compiled with or without XLA: its first step, then `steps` more, timed one by one."""
    import keras
    import tensorflow as tf

    from explorer.training.gan import new_gan

    rng = np.random.default_rng(0)
    images = rng.random((BATCH * 4, *config.image_shape)).astype("float32")
    labels = rng.integers(0, config.classes or 1, len(images)).astype("int32")
    batches = tf.data.Dataset.from_tensor_slices((images, labels) if config.classes else images)
    batches = iter(batches.batch(BATCH, drop_remainder=True).repeat())
    keras.utils.set_random_seed(0)
    model = new_gan(config, 2e-4, seed=0, jit_compile=jit_compile)  # as training compiles it
    model.make_train_function()
    seconds = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        float(model.train_function(batches)["d_loss"])  # the float waits for the step to finish
        seconds.append(time.perf_counter() - started)
    return {"first_step_s": seconds[0], **summarize(seconds[1:])}


def bench_training(folders: list[Path]) -> dict:
    """Per shipped GAN: the step with and without XLA, alternated twice so that both see the same machine."""
    from explorer.checkpoint import read_checkpoint

    results = {}
    for folder in folders:
        config = read_checkpoint(folder).config
        for jit_compile in (False, True, False, True):
            name = f"GAN training step: {folder.name}, {'XLA' if jit_compile else 'no XLA'}"
            run = time_steps(config, jit_compile)
            if name not in results or run["median_ms"] < results[name]["median_ms"]:
                results[name] = run  # the better of two runs: the quieter moment
            print(f"{name}: first step {run['first_step_s']:.1f} s, then {run['median_ms']:.0f} ms", flush=True)
    return results


def print_training(results: dict) -> None:
    print("| GAN training step | first step | then median | p95 | vs XLA |\n|---|---|---|---|---|")
    for name, row in results.items():
        if name.endswith("no XLA"):
            xla = results[name.replace("no XLA", "XLA")]
            ratio = f"{xla['median_ms'] / row['median_ms']:.2f}× faster"
        else:
            ratio = "—"
        label, step = name.removeprefix("GAN training step: "), f"{row['first_step_s']:.1f} s"
        print(f"| {label} | {step} | {row['median_ms']:.0f} ms | {row['p95_ms']:.0f} ms | {ratio} |")
