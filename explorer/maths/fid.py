"""Fréchet distance between two sets of image features, and a GAN's metrics through LiteRT.

    python -m explorer evaluate checkpoints/mnist-gan --data ../shared/data/mnist-9000.npz

FID (Heusel et al. 2017) compares the mean and covariance of features of generated and real
images. The features here come from the project's own classifier (its 128-unit `features`
layer), so the numbers are comparable only with each other. Sample size biases FID upwards, so
the model is scored with as many samples as each half of the real data, and the FID between the
two real halves is reported as the floor a perfect generator would reach. No TensorFlow needed.
"""

from __future__ import annotations

import numpy as np

from explorer.maths.latent import draw_classes

CONFIDENT = 0.9  # a sample counts as recognisable when the classifier gives one class this much


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """||mu_a - mu_b||² + Tr(S_a + S_b - 2 (S_a S_b)^½) for two (N, F) feature sets."""
    a, b = np.asarray(features_a, "float64"), np.asarray(features_b, "float64")
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # Tr((S_a S_b)^½) = sum of sqrt eigenvalues of S_a^½ S_b S_a^½, which is symmetric: stable eigh.
    root_a = _psd_sqrt(cov_a)
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(cross, 0, None)).sum()
    return float(np.square(mean_a - mean_b).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def readable_classes(generator, outputs: int, classifier_names: list | None = None) -> np.ndarray | None:
    """For each class of a conditional generator, the classifier's class its samples should read as:
    its parent ("family" -> "People & Body") when it has one the classifier knows, else itself when
    the classifier has as many classes; None when the two cannot be matched."""
    parents = list(getattr(generator, "class_parents", ()) or ())
    names = list(classifier_names or ())
    if parents and set(parents) <= set(names):
        return np.array([names.index(parent) for parent in parents])
    classes = len(getattr(generator, "class_names", None) or ()) or getattr(generator, "classes", 0)
    return np.arange(classes) if classes == outputs and not parents else None


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def evaluate_generator(
    generator,
    classifier,
    features,
    real_images: np.ndarray,
    seed: int = 0,
    batch_size: int = 500,
    classifier_names: list | None = None,
) -> dict:
    """FID of a served generator against real uint8 images, the real-vs-real floor, and confidence.

    `classifier` and `features` are LiteModels (image in [0, 1] -> probabilities / features).
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(real_images))
    half = len(real_images) // 2
    real_a, real_b = real_images[order[:half]], real_images[order[half : 2 * half]]

    def embed(model, images):
        return np.concatenate(
            [model(images[i : i + batch_size].astype("float32") / 255.0) for i in range(0, len(images), batch_size)]
        )

    latents = rng.standard_normal((half, generator.latent_dim)).astype("float32")
    classes = len(getattr(generator, "class_names", None) or ()) or getattr(generator, "classes", 0)
    labels = np.arange(half) % classes if classes else None  # a conditional GAN: the classes in turn,
    if classes and getattr(generator, "class_shares", ()):  # or as often as its training data has them
        labels = draw_classes(half, classes, generator.class_shares, rng)
    fake = np.concatenate(
        [
            generator.generate(latents[i : i + batch_size], None if labels is None else labels[i : i + batch_size])
            for i in range(0, half, batch_size)
        ]
    )
    fake_features, real_b_features = embed(features, fake), embed(features, real_b)
    fake_probabilities = embed(classifier, fake)
    fake_confidence = fake_probabilities.max(axis=1)
    read_as = fake_probabilities.argmax(axis=1)
    shares = np.bincount(read_as, minlength=fake_probabilities.shape[1]) / len(read_as)
    conditional = {}
    expected = readable_classes(generator, fake_probabilities.shape[1], classifier_names) if classes else None
    if expected is not None:  # how often a conditional GAN's sample reads as its class
        conditional["asked_class_read"] = float(np.mean(read_as == expected[labels]))
    return {
        **conditional,
        "class_shares": [round(float(share), 4) for share in shares],  # what the classifier reads the samples as
        "fid": frechet_distance(fake_features, real_b_features),
        "fid_real_halves": frechet_distance(embed(features, real_a), real_b_features),
        "confident_share": float(np.mean(fake_confidence >= CONFIDENT)),
        "confident_share_real": float(np.mean(embed(classifier, real_b).max(axis=1) >= CONFIDENT)),
        "samples": int(half),
    }
