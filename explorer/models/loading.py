"""One way back from a checkpoint folder to its Keras model: for export, evaluation against Keras,
and the tests. Imports TensorFlow."""

from __future__ import annotations

import numpy as np

from explorer.checkpoint import CheckpointError


def load_keras_model(checkpoint):
    """The Keras model of a VAE, AE or GAN checkpoint, rebuilt from its manifest and weights."""
    if checkpoint.kind == "gan":
        from explorer.models.gan import GAN

        model = GAN(checkpoint.config)
        model(np.zeros((1, model.config.input_dim), "float32"))
    elif checkpoint.kind in ("vae", "ae"):
        from explorer.models.vae import VAE

        model = VAE(checkpoint.config)
        model(np.zeros((1, *model.config.image_shape), "float32"))
    else:
        raise CheckpointError(
            f"{checkpoint.name} is a {checkpoint.kind}; a Keras model is rebuilt for a VAE, AE or GAN."
        )
    try:
        model.load_weights(checkpoint.file("weights"))
    except CheckpointError as error:
        raise CheckpointError(
            f"{error} (Keras weights stay where a model was trained; git ships only the .tflite files the app serves.)"
        ) from None
    return model
