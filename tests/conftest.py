"""Shared fixtures: tiny data the tests make, and one tiny trained checkpoint per test session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent


def small_digits(count: int = 600):
    """scikit-learn's 8x8 digits as uint8 images (N, 8, 8, 1) with labels: ships with the package."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images[:count] * (255 / 16)).round().astype(np.uint8)[..., None]
    return x, digits.target[:count].astype(np.int64)


@pytest.fixture(scope="session")
def digits_npz(tmp_path_factory) -> Path:
    x, y = small_digits()
    path = tmp_path_factory.mktemp("data") / "digits8.npz"
    np.savez(path, x=x, y=y)
    return path


@pytest.fixture(scope="session")
def tiny_vae(tmp_path_factory, digits_npz) -> Path:
    """A 3-d VAE trained for two epochs on 8x8 digits, written as a real checkpoint folder."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import TrainConfig, VAEConfig
    from explorer.data import load_dataset
    from explorer.train import train_vae

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-vae"
    config = VAEConfig(kind="vae", image_shape=(8, 8, 1), latent_dim=3, filters=(8, 16), hidden_units=32)
    train_vae(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory, digits_npz) -> Path:
    """A digit classifier trained for two epochs on 8x8 digits: the tiny GAN's feature network."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import ClassifierConfig, TrainConfig
    from explorer.data import load_dataset
    from explorer.train_gan import train_classifier

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-classifier"
    config = ClassifierConfig(image_shape=(8, 8, 1), filters=(8,), feature_units=16)
    train_classifier(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


# The command line's default generator (nearest-neighbour upsampling, batch norm), as emoji-gan uses.
TINY_GAN = dict(image_shape=(8, 8, 1), latent_dim=4, generator_filters=(16, 8), discriminator_filters=(8, 16),
                upsampling="nearest", batch_norm=True)


@pytest.fixture(scope="session")
def tiny_gan(tmp_path_factory, digits_npz, tiny_classifier) -> Path:
    """A 4-d GAN trained for two epochs on 8x8 digits, written as a real checkpoint folder."""
    from explorer.config import GANConfig, TrainConfig
    from explorer.data import load_dataset
    from explorer.train_gan import train_gan

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-gan"
    train_gan(load_dataset(str(digits_npz)), GANConfig(**TINY_GAN), TrainConfig(epochs=2, batch_size=64), out,
              features_from=tiny_classifier)
    return out


@pytest.fixture(scope="session")
def embedded_vae(tmp_path_factory, tiny_vae, digits_npz) -> Path:
    """The tiny VAE with its shipped embedding (600 digits), as `train vae` leaves a checkpoint.

    Its default projections are one quick t-SNE, not the real UMAP and t-SNE: same code, less time.
    """
    import shutil

    from explorer import embed
    from explorer.data import load_dataset

    out = tmp_path_factory.mktemp("embedded") / "tiny-vae"
    shutil.copytree(tiny_vae, out)
    defaults = embed.DEFAULT_PROJECTIONS
    embed.DEFAULT_PROJECTIONS = (QUICK_TSNE,)
    try:
        embed.write_embedding(out, load_dataset(str(digits_npz)))
    finally:
        embed.DEFAULT_PROJECTIONS = defaults
    return out


def _quick_tsne():
    from explorer.projection import ProjectionParams

    return ProjectionParams("tsne", 2, perplexity=10.0)


QUICK_TSNE = _quick_tsne()


def small_text(characters: int = 12_000) -> str:
    """Seeded nonsense in a few dozen words, with punctuation and line breaks: enough for a char-RNN."""
    words = ("the king queen shall not be more than a fool to love you and me , . ! ? "
             "ROMEO : JULIET : what light through yonder window breaks").split()
    rng = np.random.default_rng(0)
    pieces, length = [], 0
    while length < characters:
        line = " ".join(rng.choice(words, size=rng.integers(3, 10))) + "\n"
        pieces.append(line)
        length += len(line)
    return "".join(pieces)[:characters]


@pytest.fixture(scope="session")
def tiny_charrnn(tmp_path_factory) -> Path:
    """A 24-unit char-RNN trained for two short epochs on `small_text`, as a real checkpoint folder."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import CharRNNConfig, TrainConfig
    from explorer.train_text import read_text, train_charrnn

    source = tmp_path_factory.mktemp("text") / "small.txt"
    source.write_text(small_text(), encoding="utf-8")
    out = tmp_path_factory.mktemp("checkpoints") / "tiny-charrnn"
    text, origin = read_text(source)
    train_charrnn(text, origin, CharRNNConfig(embedding_dim=8, units=24, seq_len=20),
                  TrainConfig(epochs=2, batch_size=32, learning_rate=1e-2), out)
    return out
