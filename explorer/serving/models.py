"""Shipped models as the app uses them: autoencoders (encode, decode), GANs (generate) and the
char-RNN (one step at a time).

Built from a checkpoint folder alone, on LiteRT; no TensorFlow. One instance is shared by all
sessions (its `LiteModel`s are thread-safe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from explorer.checkpoint import Checkpoint, CheckpointError, load_arrays, load_examples, read_checkpoint, shown
from explorer.images import to_uint8
from explorer.maths.directions import Directions
from explorer.maths.latent import sample_prior, slider_latent, with_classes
from explorer.serving.runtime import LiteModel


@dataclass
class Encoding:
    mu: np.ndarray  # (N, D) posterior means (the AE's codes)
    sigma: np.ndarray  # (N, D) posterior standard deviations (zeros for an AE)


class ImageAutoencoder:
    def __init__(self, checkpoint: Checkpoint):
        self.checkpoint = checkpoint
        config = checkpoint.config
        self.kind = checkpoint.kind
        self.latent_dim = int(config.latent_dim)
        self.image_shape = tuple(int(v) for v in config.image_shape)
        self.preprocess = checkpoint.data.preprocess
        self.likelihood = config.likelihood  # p(x | z), for held-out metrics
        self.encoder = _lite(checkpoint, "encoder")
        self.decoder = _lite(checkpoint, "decoder")
        self.examples = load_examples(checkpoint)

    @classmethod
    def from_folder(cls, folder: Path | str) -> ImageAutoencoder:
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


class ImageGenerator:
    """A shipped GAN: latent vectors -> images, its GANSpace directions, its training timeline."""

    def __init__(self, checkpoint: Checkpoint):
        self.checkpoint = checkpoint
        config = checkpoint.config
        self.kind = checkpoint.kind
        self.latent_dim = int(config.latent_dim)
        self.class_names = [class_name(name) for name in config.class_names or range(config.classes)]
        self.class_shares = tuple(config.class_shares)  # how often training asked for each class
        # the class picked to open the page on, if any
        self.chosen_class = class_name(config.default_class) if config.default_class else None
        self.class_parents = [str(name) for name in config.class_parents]  # "family" -> "People & Body"
        self.image_shape = tuple(int(v) for v in config.image_shape)
        self.generator = _lite(checkpoint, "generator")
        arrays = load_arrays(checkpoint, "directions")
        self.directions = Directions(arrays["vectors"], arrays["explained_variance"])
        self.training_images = TrainingImages.from_checkpoint(checkpoint)
        # The discriminator it was trained against, if the checkpoint kept it (GANs trained before
        # it was shipped did not).
        self.discriminator = _lite(checkpoint, "discriminator") if "discriminator" in checkpoint.files else None

    @classmethod
    def from_folder(cls, folder: Path | str) -> ImageGenerator:
        return cls(read_checkpoint(folder))

    @property
    def name(self) -> str:
        return self.checkpoint.name

    @property
    def conditional(self) -> bool:
        return bool(self.class_names)

    @property
    def default_class(self) -> str | None:
        """The class a conditional GAN's page opens on: the one chosen at training (`--default-class`;
        of 1,743 emoji the commonest, a handshake in 26 skin tones, is not the model's best picture),
        else the one its training data had most of (the generator saw it most), else the first."""
        if not self.class_names:
            return None
        if self.chosen_class:
            return self.chosen_class
        return self.class_names[int(np.argmax(self.class_shares)) if self.class_shares else 0]

    def generate(self, z: np.ndarray, labels=None) -> np.ndarray:
        """(N, D) latent vectors -> (N, H, W, C) uint8 images; a conditional GAN makes class
        `labels` (one for all, or one per row; None: the classes in turn)."""
        z = np.asarray(z, dtype="float32").reshape(-1, self.latent_dim)
        return to_uint8(self.generator(with_classes(z, labels, len(self.class_names))))

    def latent_for(self, seed: int, psi: float = 1.0, offsets=(), shift=None) -> np.ndarray:
        """The page's z: the seed's draw from N(0, I), truncated by ψ, moved along the directions
        by `offsets` (σ) and by a raw per-dimension `shift`."""
        vectors, amounts = self.directions.vectors[: len(offsets)], np.asarray(offsets, dtype="float32")
        if shift is not None:  # a raw slider per dimension: its vector is that dimension's unit vector
            vectors = np.concatenate([vectors, np.eye(self.latent_dim, dtype="float32")])
            amounts = np.concatenate([amounts, np.asarray(shift, dtype="float32")])
        return slider_latent(sample_prior(1, self.latent_dim, seed)[0], psi, vectors, amounts)

    def verdict(self, images: np.ndarray, labels=None) -> np.ndarray:
        """The discriminator's probability that each uint8 image is a real training image (a real
        one of class `labels`, one for all or one per image, for a conditional GAN): (N,)."""
        scores = self.discriminator(np.asarray(images, dtype="float32") / 255.0)  # (N, 1) or (N, classes)
        if scores.shape[1] == 1:
            return scores[:, 0]
        picked = np.broadcast_to(np.asarray(0 if labels is None else labels, dtype=int), (len(scores),))
        return scores[np.arange(len(scores)), picked]

    def timeline(self) -> dict:
        """`frames` (epochs, n, H, W, C) uint8: the generator's output for fixed z after each epoch."""
        return load_arrays(self.checkpoint, "timeline")


def class_name(name) -> str:
    """A class's name in one style: the emoji data names some with hyphens and most with underscores
    ("woman-raising-hand", "joy_cat"); a hyphen between letters becomes an underscore ("+1", "-1" stay)."""
    return re.sub(r"(?<=[A-Za-z0-9])-(?=[A-Za-z])", "_", str(name))


class TrainingImages:
    """A GAN's training images, in which to find a sample's nearest ones (is it a copy?); the
    project's classifier, which says what it reads in a sample; and its features network (FID)."""

    def __init__(
        self,
        images: np.ndarray,
        classifier: LiteModel | None = None,
        class_names: list | None = None,
        labels: np.ndarray | None = None,
        features: LiteModel | None = None,
    ):
        self.images = images
        self.labels = labels  # each image's class, as a conditional GAN was trained on it (if kept)
        self.classifier, self.class_names = classifier, class_names
        self.features = features  # the classifier's features layer, which FID is measured in

    @classmethod
    def from_checkpoint(cls, checkpoint: Checkpoint) -> TrainingImages:
        arrays = load_arrays(checkpoint, "neighbours")
        files = checkpoint.files
        return cls(
            arrays["x"],
            _lite(checkpoint, "classifier") if "classifier" in files else None,
            checkpoint.section("neighbours").get("class_names"),
            arrays["y"].astype(int) if "y" in arrays else None,
            _lite(checkpoint, "features") if "features" in files else None,
        )

    @cached_property
    def copy_scale(self) -> float:
        """How far a training image typically lies from its nearest other training image (the median
        over a seeded sample of them, in `nearest`'s distance): the scale a sample's distance is read on."""
        rng = np.random.default_rng(0)
        picked = rng.choice(len(self.images), size=min(COPY_SCALE_SAMPLE, len(self.images)), replace=False)
        order, distance = self.nearest(self.images[picked], k=2)
        other = np.where(order[:, 0] == picked, distance[:, 1], distance[:, 0])  # not itself
        return float(np.median(other))

    def classify(self, images: np.ndarray) -> str | None:
        """What the project's classifier makes of the first image, as a sentence; None without one."""
        if self.classifier is None:
            return None
        probabilities = self.classifier(np.asarray(images[:1], dtype="float32") / 255.0)[0]
        best = int(probabilities.argmax())
        label = self.class_names[best] if self.class_names else str(best)
        return f"The project's classifier reads this as “{label}” ({probabilities[best]:.0%} sure)."

    def classes_of(self, indices: np.ndarray) -> np.ndarray:
        """The class of the training images at `indices`, as a conditional generator knows them: their
        labels where the checkpoint kept them, else the class the classifier reads (which is the same
        when the generator's classes are the classifier's, as in checkpoints before labels were kept)."""
        if self.labels is not None:
            return self.labels[indices]
        return self.read_classes(self.images[indices])

    def read_classes(self, images: np.ndarray) -> np.ndarray:
        """The class the project's classifier reads in each image (zeros without a classifier)."""
        if self.classifier is None:
            return np.zeros(len(images), dtype=int)
        return self.classifier(np.asarray(images, dtype="float32") / 255.0).argmax(1)

    def nearest(self, images: np.ndarray, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
        """For each image, the indices of its k nearest training images and their distances: the root
        mean square of their pixels' differences in [0, 1], 0 for the same picture, 1 for black against
        white. Pixels, not a classifier's features: in emoji-classifier features every face lay within
        0.002 of every other, so a distance could not tell a copy from another image of its kind."""
        query = _pixels(images)  # (N, P)
        squared = []
        for start in range(0, len(self.images), NEAREST_CHUNK):  # a few MB of floats at a time
            train = _pixels(self.images[start : start + NEAREST_CHUNK])
            squared.append((query**2).sum(1)[:, None] - 2 * query @ train.T + (train**2).sum(1)[None])
        squared = np.maximum(np.concatenate(squared, axis=1), 0.0)  # (N, M)
        order = np.argsort(squared, axis=1, kind="stable")[:, :k]
        return order, np.sqrt(np.take_along_axis(squared, order, axis=1) / query.shape[1])


class CharModel:
    """A shipped char-RNN: `step(ids, state) -> (logits, state)`, the loop left to the caller."""

    def __init__(self, checkpoint: Checkpoint):
        from explorer.maths.sampling import Vocabulary

        self.checkpoint = checkpoint
        self.vocabulary = Vocabulary(checkpoint.manifest["vocabulary"])
        self.units = int(checkpoint.config.units)
        self.step_model = _lite(checkpoint, "step")

    @classmethod
    def from_folder(cls, folder: Path | str) -> CharModel:
        return cls(read_checkpoint(folder))

    @property
    def name(self) -> str:
        return self.checkpoint.name

    def initial_state(self, batch: int = 1) -> np.ndarray:
        return np.zeros((batch, self.units), np.float32)

    def step(self, ids: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(B,) character ids and (B, U) states -> (B, V) next-character logits and the new states."""
        packed = np.concatenate([np.asarray(ids, np.float32).reshape(-1, 1), state], axis=1)  # (B, 1 + U)
        out = self.step_model(packed)  # (B, V + U)
        return out[:, : len(self.vocabulary)], out[:, len(self.vocabulary) :]

    def read(self, text: str, state: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Feed `text` one character at a time: the logits after its last character, and the state."""
        state = self.initial_state() if state is None else state
        logits = None
        for char_id in self.vocabulary.encode(text):
            logits, state = self.step(np.array([char_id]), state)
        return logits[0], state


NEAREST_CHUNK = 1000  # training images compared at once
COPY_SCALE_SAMPLE = 200  # training images whose nearest other one sets the scale


def _pixels(images: np.ndarray) -> np.ndarray:
    return np.asarray(images, dtype="float32").reshape(len(images), -1) / 255.0


def _lite(checkpoint: Checkpoint, role: str) -> LiteModel:
    try:
        return LiteModel(checkpoint.file(role))
    except (ValueError, RuntimeError) as error:
        if isinstance(error, CheckpointError):
            raise
        raise CheckpointError(
            f"{shown(checkpoint.folder)} holds a .tflite file LiteRT cannot load ({error}); retrain it."
        ) from None
