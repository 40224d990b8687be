"""Held-out metrics of a served VAE or AE, computed through LiteRT exactly as the app runs it.

    python -m explorer evaluate checkpoints/mnist-vae-16d --data mnist

Negative ELBO in nats per image: Bernoulli likelihood with targets the grey levels x/255, KL to
N(0, I), averaged over `samples` posterior draws per image. No TensorFlow needed.
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


def kl_to_standard_normal(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    variance = np.square(sigma.astype("float64"))
    return 0.5 * np.sum(variance + np.square(mu) - 1 - np.log(variance), axis=1)


def evaluate_autoencoder(model, images: np.ndarray, samples: int = 8, seed: int = 0, batch_size: int = 500) -> dict:
    """Metrics for uint8 images (N, H, W, C) under a served `ImageAutoencoder`."""
    rng = np.random.default_rng(seed)
    reconstruction, kl = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        targets = batch.astype("float64") / 255.0
        encoding = model.encode_images(batch)
        if model.kind == "ae":
            reconstruction.append(bernoulli_nll(targets, model.decoder(encoding.mu)))
            continue
        draws = [encoding.mu + encoding.sigma * rng.standard_normal(encoding.mu.shape) for _ in range(samples)]
        nll = [bernoulli_nll(targets, model.decoder(z.astype("float32"))) for z in draws]
        reconstruction.append(np.mean(nll, axis=0))
        kl.append(kl_to_standard_normal(encoding.mu, encoding.sigma))
    metrics = {"reconstruction": float(np.concatenate(reconstruction).mean()), "images": int(len(images))}
    if model.kind == "vae":
        metrics["kl"] = float(np.concatenate(kl).mean())
        metrics["neg_elbo"] = metrics["reconstruction"] + metrics["kl"]
        metrics["posterior_samples"] = samples
    return metrics
