"""Train the image classifier whose features measure a GAN (FID, the confident share) and find the
nearest training images, and write its checkpoint folder.

    python -m explorer train --recipe recipes/mnist-classifier.toml

Imports TensorFlow.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from explorer.checkpoint import new_manifest, write_manifest
from explorer.config import ClassifierConfig, TrainConfig, to_dict
from explorer.training.data import Dataset, split_holdout, to_unit_float
from explorer.training.vae import ResumeState, fit_resumable


def train_classifier(
    data: Dataset, config: ClassifierConfig, train: TrainConfig, out: Path, name: str | None = None
) -> dict:
    """Train the feature classifier on labelled `data` and write its checkpoint folder."""
    import keras
    import tensorflow as tf

    from explorer.models.classifier import build_classifier
    from explorer.serving.runtime import LiteModel
    from explorer.training.export import export_classifier

    if data.y is None:
        raise ValueError("The classifier needs labels: an .npz with 'y' or 'category', or a folder of class folders.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(train.seed)
    train_index, holdout_index = split_holdout(len(data.x), train.holdout, train.seed)
    x, y = to_unit_float(data.x), data.y
    train_data = (
        tf.data.Dataset.from_tensor_slices((x[train_index], y[train_index]))
        .shuffle(len(train_index), seed=train.seed)
        .batch(train.batch_size)
    )
    val_data = tf.data.Dataset.from_tensor_slices((x[holdout_index], y[holdout_index])).batch(500)
    model = build_classifier(config)
    model.compile(
        optimizer=keras.optimizers.Adam(train.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    settings = {
        "model": to_dict(config),
        "data": data.origin,
        "train": {k: v for k, v in to_dict(train).items() if k != "epochs"},
    }
    state = fit_resumable(model, train_data, val_data, train, out, settings)
    model.save_weights(out / "model.weights.h5")
    files = export_classifier(model, out)
    files["weights"] = "model.weights.h5"
    probabilities = LiteModel(out / "classifier.tflite")(x[holdout_index])
    manifest = new_manifest(
        name or out.name,
        f"Classifier ({Path(data.origin.get('source', 'data')).stem})",
        config,
        train,
        state,
        data={
            **data.origin,
            "holdout_images": len(holdout_index),
            "label_names": data.label_names,
            "split": f"seeded permutation (seed {train.seed}); the first {len(holdout_index)} are held out",
        },
        files=files,
        training={"train_images": len(train_index)},
    )
    manifest["metrics"] = {
        "heldout": {
            "accuracy": float(np.mean(probabilities.argmax(1) == y[holdout_index])),
            "confident_share": float(np.mean(probabilities.max(1) >= 0.9)),
        },
        "measured_with": "LiteRT",
    }
    write_manifest(out, manifest)
    ResumeState(out).clear()
    print(json.dumps(manifest["metrics"]))
    return manifest
