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
