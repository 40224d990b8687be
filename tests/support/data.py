"""Data the tests make: scikit-learn's digits (they ship with the package) and seeded text; no download."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def small_digits(count: int = 600):
    """scikit-learn's 8x8 digits as uint8 images (N, 8, 8, 1) with labels: ships with the package."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images[:count] * (255 / 16)).round().astype(np.uint8)[..., None]
    return x, digits.target[:count].astype(np.int64)


def small_text(characters: int = 12_000) -> str:
    """Seeded nonsense in a few dozen words, with punctuation and line breaks: enough for a char-RNN."""
    words = (
        "the king queen shall not be more than a fool to love you and me , . ! ? "
        "ROMEO : JULIET : what light through yonder window breaks"
    ).split()
    rng = np.random.default_rng(0)
    pieces, length = [], 0
    while length < characters:
        line = " ".join(rng.choice(words, size=rng.integers(3, 10))) + "\n"
        pieces.append(line)
        length += len(line)
    return "".join(pieces)[:characters]


def digits(count=300):
    """scikit-learn's 8x8 digits as 64-d float vectors, with their labels as text."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:count], np.array([f"digit {label}" for label in data.target[:count]])
