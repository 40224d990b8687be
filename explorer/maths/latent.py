"""Latent maths as pure functions of numpy arrays: sampling, interpolation, traversals, grids.

Nothing here knows about models or Streamlit, so every function is tested on plain arrays.
Latent vectors are rows: `z` has shape (D,), batches (N, D).
"""

from __future__ import annotations

import numpy as np


def sample_prior(count: int, latent_dim: int, seed: int | None = None, scale: float = 1.0) -> np.ndarray:
    """`count` draws from N(0, scale² I)."""
    return (np.random.default_rng(seed).standard_normal((count, latent_dim)) * scale).astype("float32")


def with_classes(z: np.ndarray, labels, classes: int) -> np.ndarray:
    """A conditional generator's input: each row of z followed by its class as one-hot.

    `labels` is one class for every row, or one per row, or (N, classes) weights that blend classes
    (an interpolation between two); None spreads the classes evenly (row i gets class i mod
    classes), so a batch of samples shows every class alike.
    """
    z = np.asarray(z, dtype="float32").reshape(len(np.atleast_2d(z)), -1)
    if not classes:
        return z
    if labels is not None and np.ndim(labels) == 2:
        return np.concatenate([z, np.asarray(labels, dtype="float32")], axis=1)
    labels = np.arange(len(z)) % classes if labels is None else np.broadcast_to(np.asarray(labels, int), len(z))
    return np.concatenate([z, np.eye(classes, dtype="float32")[labels]], axis=1)


def draw_classes(count: int, classes: int, shares=(), rng: np.random.Generator | int | None = None) -> np.ndarray:
    """`count` classes of a conditional generator, drawn as often as its training data had them
    (`shares`; without them, alike): samples from the model as a whole, the way a grid should show it."""
    rng = np.random.default_rng(rng)
    odds = np.asarray(shares, dtype="float64") if len(shares) else np.ones(classes)
    return rng.choice(classes, size=count, p=odds / odds.sum())


def kl_per_dimension(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Mean KL(N(mu, sigma²) ‖ N(0, 1)) of each dimension over (N, D) posteriors, in nats: 0 for a
    dimension the encoder ignores (mu 0, sigma 1), large for one that carries information."""
    mu, sigma = np.asarray(mu, "float64"), np.maximum(np.asarray(sigma, "float64"), 1e-12)
    return (0.5 * (mu**2 + sigma**2 - 1.0) - np.log(sigma)).mean(axis=0)


MAX_SEED = 2**32 - 1  # numpy's seeds; also what fits a URL comfortably


class SeedError(ValueError):
    """A seed a person typed that is not a whole number in range; the message says so."""


def parse_seed(text) -> int:
    """A seed from a text field or URL: a whole number from 0 to 2³²−1, surrounding spaces allowed."""
    cleaned = str(text).strip().replace(",", "").replace("_", "")
    digits = cleaned.lstrip("0") or "0"  # thousands of digits are more than int() converts
    if not (cleaned.isascii() and cleaned.isdigit()) or len(digits) > len(str(MAX_SEED)) or int(digits) > MAX_SEED:
        shown = str(text) if len(str(text)) <= 30 else str(text)[:30] + "…"
        raise SeedError(f"A seed is a whole number from 0 to {MAX_SEED:,}; “{shown}” is not.")
    return int(digits)


def truncate(z: np.ndarray, psi: float, mean: np.ndarray | float = 0.0) -> np.ndarray:
    """The truncation trick: pull z towards the mean by ψ (1 = unchanged, 0 = the mean itself)."""
    return (mean + psi * (np.asarray(z, dtype="float32") - mean)).astype("float32")


def slider_latent(base: np.ndarray, psi: float, vectors: np.ndarray, amounts) -> np.ndarray:
    """The z a page's sliders name: the seed's draw `base` (D,) scaled by ψ (the truncation trick about
    the prior's mean, 0), plus each slider's amount times its vector (K, D): a GANSpace direction, or a
    unit vector for a raw dimension. web/components/live_sliders.js `latent()` computes the same in
    the page, frame by frame; tests/unit/test_live_maths.py runs both and compares."""
    z = truncate(base, psi)
    amounts = np.asarray(amounts, dtype="float32").reshape(-1)
    vectors = np.asarray(vectors, dtype="float32").reshape(-1, len(z))[: len(amounts)]
    return (z + amounts @ vectors).astype("float32")


def sample_posterior(mu: np.ndarray, sigma: np.ndarray, count: int, seed: int | None = None) -> np.ndarray:
    """`count` draws from N(mu, diag(sigma²)) for one encoded image."""
    noise = np.random.default_rng(seed).standard_normal((count, len(mu)))
    return (mu + sigma * noise).astype("float32")


def lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Straight line from a (t = 0) to b (t = 1); one row per t."""
    t = np.asarray(t, dtype="float64")[:, None]
    return ((1 - t) * a + t * b).astype("float32")


def slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Great-circle path from a to b, with the norm interpolated linearly along it.

    Under a Gaussian prior most mass lies near a shell, and a straight line between two samples
    cuts through the low-norm interior; the spherical path stays at typical norms.
    """
    t = np.asarray(t, dtype="float64")[:, None]
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a < 1e-8 or norm_b < 1e-8:
        return lerp(a, b, t[:, 0])
    unit_a, unit_b = a / norm_a, b / norm_b
    omega = np.arccos(np.clip(unit_a @ unit_b, -1.0, 1.0))
    if omega < 1e-4:  # nearly parallel: the sine ratios below are 0/0
        return lerp(a, b, t[:, 0])
    direction = (np.sin((1 - t) * omega) * unit_a + np.sin(t * omega) * unit_b) / np.sin(omega)
    return (direction * ((1 - t) * norm_a + t * norm_b)).astype("float32")


def interpolate(a: np.ndarray, b: np.ndarray, steps: int, method: str = "linear") -> np.ndarray:
    """`steps` latent vectors from a to b inclusive; method "linear" or "spherical"."""
    if steps < 2:
        raise ValueError("An interpolation needs at least 2 frames.")
    t = np.linspace(0.0, 1.0, steps)
    if method == "spherical":
        return slerp(np.asarray(a, "float64"), np.asarray(b, "float64"), t)
    if method == "linear":
        return lerp(np.asarray(a, "float64"), np.asarray(b, "float64"), t)
    raise ValueError(f"Unknown interpolation {method!r}; use 'linear' or 'spherical'.")


def traversal_grid(z: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Row i sweeps dimension i through `values` while the others stay at z: (D * V, D)."""
    z = np.asarray(z, dtype="float32")
    grid = np.repeat(np.tile(z, (len(z), 1))[:, None, :], len(values), axis=1)  # (D, V, D)
    dims = np.arange(len(z))
    grid[dims, :, dims] = np.asarray(values, dtype="float32")[None, :]
    return grid.reshape(-1, len(z))


def plane_grid(count: int, extent: float = 3.0) -> np.ndarray:
    """A count x count grid over [-extent, extent]², rows from top (high y) to bottom: (count², 2)."""
    xs = np.linspace(-extent, extent, count)
    ys = xs[::-1]
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype("float32")


def interpolate_distributions(
    mu_a: np.ndarray, sigma_a: np.ndarray, mu_b: np.ndarray, sigma_b: np.ndarray, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """`steps` diagonal Gaussians from N(mu_a, sigma_a²) to N(mu_b, sigma_b²), both included:
    (means, standard deviations), each (steps, D).

    Means and standard deviations each move in a straight line: between Gaussians with diagonal
    covariance that is the shortest path in the 2-Wasserstein distance (displacement
    interpolation), so every frame is itself a posterior-shaped distribution, not a mixture."""
    if steps < 2:
        raise ValueError("An interpolation needs at least 2 frames.")
    t = np.linspace(0.0, 1.0, steps)
    return lerp(np.asarray(mu_a, "float64"), np.asarray(mu_b, "float64"), t), lerp(
        np.asarray(sigma_a, "float64"), np.asarray(sigma_b, "float64"), t
    )


def distribution_samples(means: np.ndarray, sigmas: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """`count` draws from each of the distributions N(means[i], sigmas[i]²): (steps, count, D).

    The same seeded noise serves every frame, so sample j moves smoothly along the strip and a
    seed reopens the same picture."""
    noise = np.random.default_rng(seed).standard_normal((count, means.shape[1]))
    return (means[:, None, :] + sigmas[:, None, :] * noise[None]).astype("float32")


def bilinear_weights(size: int) -> np.ndarray:
    """A size × size grid blending four corners, rows top to bottom: (size², 4) weights of the
    corners top-left, top-right, bottom-left, bottom-right. Each row sums to one; the grid's
    corners are the corners themselves."""
    if size < 2:
        raise ValueError("A blend grid needs at least 2 cells a side.")
    t = np.linspace(0.0, 1.0, size)
    down, across = (g.ravel() for g in np.meshgrid(t, t, indexing="ij"))
    return np.stack(
        [(1 - down) * (1 - across), (1 - down) * across, down * (1 - across), down * across], axis=1
    ).astype("float32")


def barycentric_weights(size: int) -> tuple[np.ndarray, np.ndarray]:
    """A triangle of cells blending three corners, `size` cells a side: (positions (N, 2) as
    (row, column) in a size × size grid, weights (N, 3) of the corners top, bottom-left,
    bottom-right). Row r holds r + 1 cells; every row of weights sums to one."""
    if size < 2:
        raise ValueError("A blend grid needs at least 2 cells a side.")
    positions = np.array([(r, c) for r in range(size) for c in range(r + 1)])
    rows, columns = positions[:, 0] / (size - 1), positions[:, 1] / (size - 1)
    weights = np.stack([1 - rows, rows - columns, columns], axis=1)
    return positions, weights.astype("float32")


def blend(corners: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Latent vectors mixed from `corners` (K, D) by `weights` (N, K): (N, D)."""
    return (np.asarray(weights, "float64") @ np.asarray(corners, "float64")).astype("float32")
