"""Interpretable latent directions of a GAN, in the spirit of GANSpace (Härkönen et al. 2020).

Sample many z, record the generator's early activations y = G1(z), take the principal components
of y, and map them back to z-space by regressing z on the PCA coordinates (the paper's recipe for
networks without a style space). The directions are then made orthonormal in order of explained
variance, so a slider moves along one unit direction of z and its value is in σ units of
z ~ N(0, I). Pure numpy: tested without a model, run at training time, shipped in the checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Directions:
    vectors: np.ndarray  # (K, D) orthonormal directions in z-space, most variance first
    explained_variance: np.ndarray  # (K,) share of the activations' variance of each component


def principal_directions(latents: np.ndarray, activations: np.ndarray, count: int) -> Directions:
    """Directions in z-space whose moves change the activations most, ordered by variance.

    latents: (N, D) the sampled z; activations: (N, F) the generator's early activations for them.
    """
    latents = np.asarray(latents, dtype="float64")
    activations = np.asarray(activations, dtype="float64")
    if len(latents) != len(activations):
        raise ValueError(f"{len(latents)} latent vectors but {len(activations)} rows of activations.")
    count = min(count, latents.shape[1], activations.shape[1], len(latents) - 1)
    centred = activations - activations.mean(axis=0)
    _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
    variance = np.square(singular_values)
    coordinates = centred @ components[:count].T  # (N, K)
    # Least squares: z ≈ coordinates @ B gives, for each component, the z-move that produces it.
    regression, *_ = np.linalg.lstsq(coordinates, latents - latents.mean(axis=0), rcond=None)  # (K, D)
    orthonormal, triangular = np.linalg.qr(regression.T)  # (D, K) keeps order
    orthonormal *= np.sign(np.diag(triangular))  # same sense as the regression
    return Directions(orthonormal.T.astype("float32"), (variance[:count] / variance.sum()).astype("float32"))
