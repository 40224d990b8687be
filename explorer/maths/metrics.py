"""Held-out metrics of a served VAE or AE, computed through LiteRT exactly as the app runs it.

    python -m explorer evaluate checkpoints/mnist-vae-16d --data mnist

Negative ELBO in nats per image: the model's likelihood (Bernoulli with targets the grey levels
x/255, or a Gaussian whose variance is the held-out mean squared error), KL to N(0, I), averaged
over `samples` posterior draws per image. Beside it, what any two models can be compared on
whatever their likelihood: the mean squared error of the decode of μ, and its PSNR. No TensorFlow.
"""

from __future__ import annotations

import numpy as np

PROBABILITY_FLOOR = 1e-7  # the served decoder emits sigmoid(logits) in float32; keep log() finite


def bernoulli_nll(targets: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """-log p(x | z) per image for targets and probabilities in [0, 1], shaped (N, ...)."""
    p = np.clip(probabilities.astype("float64"), PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    t = targets.astype("float64")
    per_pixel = -(t * np.log(p) + (1 - t) * np.log1p(-p))
    return per_pixel.reshape(len(targets), -1).sum(axis=1)


def gaussian_nll(targets: np.ndarray, means: np.ndarray, variance: float) -> np.ndarray:
    """-log p(x | z) per image under N(means, variance) per pixel, shaped (N, ...)."""
    errors = np.square(targets.astype("float64") - means.astype("float64")).reshape(len(targets), -1)
    return errors.sum(axis=1) / (2 * variance) + 0.5 * errors.shape[1] * np.log(2 * np.pi * variance)


def kl_to_standard_normal(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    variance = np.square(sigma.astype("float64"))
    return 0.5 * np.sum(variance + np.square(mu) - 1 - np.log(variance), axis=1)


def evaluate_autoencoder(model, images: np.ndarray, samples: int = 8, seed: int = 0, batch_size: int = 500) -> dict:
    """Metrics for uint8 images (N, H, W, C) under a served `ImageAutoencoder`."""
    rng = np.random.default_rng(seed)
    batches = [images[start : start + batch_size] for start in range(0, len(images), batch_size)]
    squared = np.concatenate([_squared_errors(model, batch) for batch in batches])
    variance = max(float(squared.mean()), 1e-6)
    if getattr(model, "likelihood", "bernoulli") == "gaussian":
        nll_of = lambda targets, means: gaussian_nll(targets, means, variance)  # noqa: E731
    else:
        nll_of = bernoulli_nll
    reconstruction, kl = [], []
    for batch in batches:
        targets = batch.astype("float64") / 255.0
        encoding = model.encode_images(batch)
        if model.kind == "ae":
            reconstruction.append(nll_of(targets, model.decoder(encoding.mu)))
            continue
        draws = [encoding.mu + encoding.sigma * rng.standard_normal(encoding.mu.shape) for _ in range(samples)]
        nll = [nll_of(targets, model.decoder(z.astype("float32"))) for z in draws]
        reconstruction.append(np.mean(nll, axis=0))
        kl.append(kl_to_standard_normal(encoding.mu, encoding.sigma))
    metrics = {
        "reconstruction": float(np.concatenate(reconstruction).mean()),
        "images": int(len(images)),
        # The decode of μ against the image, on the 0–255 scale of the pixels: comparable across likelihoods.
        "mse_of_mean_decode": float(squared.mean() * 255**2),
        "psnr_db": float(10 * np.log10(1 / variance)),
    }
    if model.kind == "vae":
        metrics["likelihood"] = getattr(model, "likelihood", "bernoulli")
        metrics["kl"] = float(np.concatenate(kl).mean())
        metrics["neg_elbo"] = metrics["reconstruction"] + metrics["kl"]
        metrics["posterior_samples"] = samples
    return metrics


def _squared_errors(model, batch: np.ndarray) -> np.ndarray:
    """Per pixel (x − decode(μ(x)))² of each image, pixels in [0, 1], shaped (N, H·W·C)."""
    targets = batch.astype("float64") / 255.0
    means = model.decoder(model.encode_images(batch).mu)
    return np.square(targets - means).reshape(len(batch), -1)


FLAT_STEP = 4 / 255  # neighbouring pixels closer than this (in [0, 1]) look like one flat colour
GREY = (0.25, 0.75)  # ink half on: neither the background nor a stroke


def flat_grey_blocks(images: np.ndarray) -> np.ndarray:
    """How many 3×3 patches of each image (N, H, W, C) in uint8 are one flat mid-grey: every pixel
    between GREY's bounds and within FLAT_STEP of its right and lower neighbours. A decoder draws one
    where its units for that part of the picture are dead (it is then the last layers' biases)."""
    x = images.astype("float64").mean(axis=-1) / 255  # (N, H, W)
    core = x[:, :-1, :-1]
    flat = (
        (np.abs(np.diff(x, axis=2))[:, :-1, :] < FLAT_STEP)
        & (np.abs(np.diff(x, axis=1))[:, :, :-1] < FLAT_STEP)
        & (core > GREY[0])
        & (core < GREY[1])
    )
    blocks = flat[:, :-1, :-1] & flat[:, 1:, :-1] & flat[:, :-1, 1:] & flat[:, 1:, 1:]
    return blocks.sum(axis=(1, 2))
