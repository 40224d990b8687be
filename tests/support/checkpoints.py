"""One tiny trained checkpoint of each kind per test session (fixtures), and what training tests share."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from tests.support.data import small_digits, small_text

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
    from explorer.training.data import load_dataset
    from explorer.training.vae import train_vae

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-vae"
    config = VAEConfig(kind="vae", image_shape=(8, 8, 1), latent_dim=3, filters=(8, 16), hidden_units=32)
    train_vae(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory, digits_npz) -> Path:
    """A digit classifier trained for two epochs on 8x8 digits: the tiny GAN's feature network."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import ClassifierConfig, TrainConfig
    from explorer.training.classifier import train_classifier
    from explorer.training.data import load_dataset

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-classifier"
    config = ClassifierConfig(image_shape=(8, 8, 1), filters=(8,), feature_units=16)
    train_classifier(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


# The command line's default generator (nearest-neighbour upsampling, batch norm), as emoji-gan uses.
TINY_GAN = dict(
    image_shape=(8, 8, 1),
    latent_dim=4,
    generator_filters=(16, 8),
    discriminator_filters=(8, 16),
    upsampling="nearest",
    batch_norm=True,
)


@pytest.fixture(scope="session")
def tiny_gan(tmp_path_factory, digits_npz, tiny_classifier) -> Path:
    """A 4-d GAN trained for two epochs on 8x8 digits, written as a real checkpoint folder."""
    from explorer.config import GANConfig, TrainConfig
    from explorer.training.data import load_dataset
    from explorer.training.gan import train_gan

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-gan"
    train_gan(
        load_dataset(str(digits_npz)),
        GANConfig(**TINY_GAN),
        TrainConfig(epochs=2, batch_size=64),
        out,
        features_from=tiny_classifier,
    )
    return out


@pytest.fixture(scope="session")
def embedded_vae(tmp_path_factory, tiny_vae, digits_npz) -> Path:
    """The tiny VAE with its shipped embedding (600 digits), as `train vae` leaves a checkpoint.

    Its default projections are one quick t-SNE (`quick_projections`).
    """
    import shutil

    from explorer.training import embed
    from explorer.training.data import load_dataset

    out = tmp_path_factory.mktemp("embedded") / "tiny-vae"
    shutil.copytree(tiny_vae, out)
    with quick_projections():
        embed.write_embedding(out, load_dataset(str(digits_npz)))
    return out


def _quick_tsne():
    from explorer.projector.projection import ProjectionParams

    return ProjectionParams("tsne", 2, perplexity=10.0)


QUICK_TSNE = _quick_tsne()


@contextlib.contextmanager
def quick_projections():
    """Training ships one quick t-SNE as the default projections, not the real UMAP and t-SNE: same code,
    less time (and no numba compiling UMAP, half a minute on a cold cache)."""
    from explorer.training import embed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embed, "DEFAULT_PROJECTIONS", (QUICK_TSNE,))
        yield


@pytest.fixture(scope="session")
def tiny_charrnn(tmp_path_factory) -> Path:
    """A 24-unit char-RNN trained for two short epochs on `small_text`, as a real checkpoint folder."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import CharRNNConfig, TrainConfig
    from explorer.training.text import read_text, train_charrnn

    source = tmp_path_factory.mktemp("text") / "small.txt"
    source.write_text(small_text(), encoding="utf-8")
    out = tmp_path_factory.mktemp("checkpoints") / "tiny-charrnn"
    text, origin = read_text(source)
    with quick_projections():
        train_charrnn(
            text,
            origin,
            CharRNNConfig(embedding_dim=8, units=24, seq_len=20, dropout=0.1),  # off when serving
            TrainConfig(epochs=2, batch_size=32, learning_rate=1e-2),
            out,
        )
    return out


# A module-level mark instead of pytest.importorskip: collecting must not import TensorFlow (6 s).
needs_tensorflow = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="training needs TensorFlow (requirements-dev.txt)"
)


TRAIN_FIXTURES = {"tiny_vae", "tiny_classifier", "tiny_gan", "embedded_vae", "tiny_charrnn"}  # TensorFlow fits a model


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """After a fixture has trained a model, move what TensorFlow and Keras keep into the collector's
    permanent generation (gc.freeze): the objects live to the end of the session anyway, and later
    collections no longer walk them (test_properties_app with TensorFlow imported: 86 s -> 58 s)."""
    result = yield
    if fixturedef.argname in TRAIN_FIXTURES:
        import gc

        gc.collect()
        gc.freeze()
    return result
