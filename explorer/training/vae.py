"""Train a model and write its checkpoint folder (manifest, .tflite files, weights, examples).

Run through the command line: `python -m explorer train vae --data mnist --out checkpoints/NAME`
(GANs and the feature classifier: explorer/training/gan.py).
Training is resumable: every epoch saves weights and optimizer state in `OUT/.resume/`; run the
same command again to continue from the last finished epoch. Imports TensorFlow.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

from explorer.checkpoint import new_manifest, write_manifest
from explorer.config import TrainConfig, VAEConfig, to_dict
from explorer.training.data import Dataset, split_holdout, to_unit_float

RESUME_DIR = ".resume"


def keras_verbosity() -> int:
    """A progress bar in a terminal, one line per epoch in a log file."""
    return 1 if sys.stdout.isatty() else 2


def build_optimizer_state(model) -> None:
    if hasattr(model, "build_optimizer_state"):  # models with several optimizers, like the GAN
        model.build_optimizer_state()
    else:
        model.optimizer.build(model.trainable_variables)


class ResumeState:
    """Weights with optimizer state (Keras saves both), and history, after the last finished epoch."""

    def __init__(self, folder: Path):
        self.folder = folder / RESUME_DIR
        self.state_file = self.folder / "state.json"

    def load(self, model, settings: dict) -> dict | None:
        if not self.state_file.is_file():
            return None
        state = json.loads(self.state_file.read_text())
        now = json.loads(json.dumps(settings))  # compared as saved: tuples become lists
        saved = state["settings"]
        if isinstance(saved.get("train"), dict) and isinstance(now.get("train"), dict):
            # a setting that may change on resuming is left out of `now`; leave it out of what was saved too
            saved = {**saved, "train": {k: v for k, v in saved["train"].items() if k in now["train"]}}
        if saved != now:
            print(f"Ignoring {self.folder}: it was made with other settings; starting afresh.")
            return None
        build_optimizer_state(model)  # so the file's Adam moments load too
        model.load_weights(self.folder / "last.weights.h5")
        print(f"Resuming after epoch {state['epoch']} (best held-out score so far {state['best_loss']:.2f}).")
        return state

    def save(self, model, state: dict, improved: bool) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        model.save_weights(self.folder / "last.weights.h5")
        if improved:
            shutil.copyfile(self.folder / "last.weights.h5", self.folder / "best.weights.h5")
        self.state_file.write_text(json.dumps(state, indent=1))

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def fit_resumable(
    model, train_data, val_data, train: TrainConfig, out: Path, settings: dict, steps_per_epoch: int | None = None
) -> dict:
    """Fit epoch by epoch with early stopping on held-out loss; restores the best weights.

    `steps_per_epoch` cuts a repeating dataset into epochs of that many batches."""
    import keras

    resume = ResumeState(out)
    state = resume.load(model, settings) or {
        "settings": settings,
        "epoch": 0,
        "best_loss": float("inf"),
        "best_epoch": 0,
        "history": [],
        "seconds": 0.0,
    }
    for epoch in range(state["epoch"], train.epochs):
        if epoch - state["best_epoch"] >= train.patience and state["best_epoch"]:
            print(f"Stopping: no held-out progress for {train.patience} epochs.")
            break
        started = time.perf_counter()
        model.optimizer.learning_rate.assign(train.rate_at(epoch))
        logs = model.fit(
            train_data,
            validation_data=val_data,
            initial_epoch=epoch,
            epochs=epoch + 1,
            shuffle=False,
            steps_per_epoch=steps_per_epoch,
            verbose=keras_verbosity(),
        ).history
        record = {key: float(values[-1]) for key, values in logs.items()} | {"learning_rate": train.rate_at(epoch)}
        state["history"].append(record)
        state["seconds"] += time.perf_counter() - started
        state["epoch"] = epoch + 1
        improved = record["val_loss"] < state["best_loss"]
        if improved:
            state["best_loss"], state["best_epoch"] = record["val_loss"], epoch + 1
        resume.save(model, state, improved)
    model.load_weights(resume.folder / "best.weights.h5")
    keras.utils.set_random_seed(train.seed)
    return state


def train_vae(data: Dataset, model_config: VAEConfig, train: TrainConfig, out: Path, name: str | None = None) -> dict:
    """Train a VAE or AE on `data` and write the checkpoint folder `out`; returns the manifest."""
    import keras
    import tensorflow as tf

    from explorer.maths.metrics import evaluate_autoencoder
    from explorer.models.vae import VAE
    from explorer.serving.models import ImageAutoencoder
    from explorer.training.export import export_vae

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(train.seed)
    train_index, holdout_index = split_holdout(len(data.x), train.holdout, train.seed)
    x_train, x_holdout = to_unit_float(data.x[train_index]), to_unit_float(data.x[holdout_index])
    if x_train.shape[1:] != model_config.image_shape:
        raise ValueError(f"Data images are {x_train.shape[1:]}, the model expects {model_config.image_shape}.")

    train_data = tf.data.Dataset.from_tensor_slices(x_train).shuffle(len(x_train), seed=train.seed)
    if train.shift:
        train_data = train_data.map(partial(shifted, by=train.shift, seed=train.seed))
    train_data = train_data.batch(train.batch_size)
    val_data = tf.data.Dataset.from_tensor_slices(x_holdout).batch(500)
    model = VAE(model_config, seed=train.seed)
    model.compile(optimizer=keras.optimizers.Adam(train.learning_rate))
    model(x_train[:1])  # creates the weights, so a resumed run can load into them
    # Everything that must match for a resumed run to continue this one; how long, and when the rate
    # decays, may change: a run can be extended.
    settings = {
        "model": to_dict(model_config),
        "data": data.origin,
        "train": {k: v for k, v in to_dict(train).items() if k not in ("epochs", "patience", "decay_from")},
    }
    state = fit_resumable(model, train_data, val_data, train, out, settings)

    model.save_weights(out / "model.weights.h5")
    files = export_vae(model, out)
    examples = encode_examples(model, data, holdout_index)
    np.savez_compressed(out / "examples.npz", **examples)
    files.update({"weights": "model.weights.h5", "examples": "examples.npz"})
    manifest = new_manifest(
        name or out.name,
        _title(model_config, data),
        model_config,
        train,
        state,
        data={
            **data.origin,
            "holdout_images": len(holdout_index),
            "split": f"seeded permutation (seed {train.seed}); the first {len(holdout_index)} are held out",
            "preprocess": "mnist" if model_config.image_shape[-1] == 1 else "rgb",
            "label_names": data.label_names,
        },
        files=files,
        training={"train_images": len(train_index)},
    )
    write_manifest(out, manifest)  # first without metrics: they are measured on the served files
    served = ImageAutoencoder.from_folder(out)
    manifest["metrics"] = {
        "heldout": evaluate_autoencoder(served, data.x[holdout_index], seed=train.seed),
        "measured_with": "LiteRT, python -m explorer evaluate",
    }
    write_manifest(out, manifest)
    ResumeState(out).clear()
    print(json.dumps(manifest["metrics"]))
    return manifest


def shifted(image, by: int, seed: int):
    """`image` moved by up to `by` pixels across and down (a random crop of it padded with zeros): the
    same digit a little off centre, so that 8,000 images teach more than their exact pixels."""
    import tensorflow as tf

    padded = tf.pad(image, [[by, by], [by, by], [0, 0]])
    return tf.image.random_crop(padded, tf.shape(image), seed=seed)


def encode_examples(model, data: Dataset, index: np.ndarray) -> dict:
    """Held-out images with their encodings: the page's examples and the 2-d map's overlay."""
    from keras import ops

    x = to_unit_float(data.x[index])
    encoded = model.encoder(x, training=False)
    if model.config.kind == "ae":
        mu = ops.convert_to_numpy(encoded)
        sigma = np.zeros_like(mu)  # a plain autoencoder's codes are points
    else:
        mu = ops.convert_to_numpy(encoded[0])
        sigma = np.exp(0.5 * ops.convert_to_numpy(encoded[1]))
    examples = {"x": data.x[index], "mu": mu.astype("float32"), "sigma": sigma.astype("float32")}
    if data.y is not None:
        examples["y"] = data.y[index]
    for column, values in data.metadata.items():  # e.g. the emoji's names, for the page and the projector
        examples[column] = values[index]
    return examples


def _title(config: VAEConfig, data: Dataset) -> str:
    kind = "VAE" if config.kind == "vae" else "Autoencoder"
    source = Path(data.origin.get("source", "data")).stem
    return f"{kind}, {config.latent_dim}-d latent ({source})"
