"""A shipped VAE or autoencoder as the app uses it: encode images, decode latent vectors.

Built from a checkpoint folder alone, on LiteRT; no TensorFlow. One instance is shared by all
sessions (its `LiteModel`s are thread-safe).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.checkpoint import Checkpoint, CheckpointError, load_examples, read_checkpoint, shown
from explorer.images import to_uint8
from explorer.runtime import LiteModel


@dataclass
class Encoding:
    mu: np.ndarray      # (N, D) posterior means (the AE's codes)
    sigma: np.ndarray   # (N, D) posterior standard deviations (zeros for an AE)


class ImageAutoencoder:
    def __init__(self, checkpoint: Checkpoint):
        self.checkpoint = checkpoint
        config = checkpoint.config
        self.kind = checkpoint.kind
        self.latent_dim = int(config["latent_dim"])
        self.image_shape = tuple(int(v) for v in config["image_shape"])
        self.preprocess = checkpoint.manifest.get("data", {}).get("preprocess", "mnist")
        try:
            self.encoder = LiteModel(checkpoint.file("encoder"))
            self.decoder = LiteModel(checkpoint.file("decoder"))
        except (ValueError, RuntimeError, KeyError) as error:
            if isinstance(error, CheckpointError):
                raise
            raise CheckpointError(
                f"{shown(checkpoint.folder)} holds a .tflite file LiteRT cannot load ({error}); retrain it."
            ) from None
        self.examples = load_examples(checkpoint)

    @classmethod
    def from_folder(cls, folder: Path | str) -> "ImageAutoencoder":
        return cls(read_checkpoint(folder))

    @property
    def name(self) -> str:
        return self.checkpoint.name

    def decode_latents(self, z: np.ndarray) -> np.ndarray:
        """(N, D) latent vectors -> (N, H, W, C) uint8 images."""
        z = np.asarray(z, dtype="float32").reshape(-1, self.latent_dim)
        return to_uint8(self.decoder(z))

    def encode_images(self, images: np.ndarray) -> Encoding:
        """(N, H, W, C) uint8 images -> their posterior means and standard deviations."""
        x = np.asarray(images, dtype="float32").reshape(-1, *self.image_shape) / 255.0
        encoded = self.encoder(x)
        if self.kind == "ae":
            return Encoding(encoded, np.zeros_like(encoded))
        mu, log_var = np.split(encoded, 2, axis=1)
        return Encoding(mu, np.exp(0.5 * log_var))
