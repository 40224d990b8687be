"""GANSpace directions and the Fréchet distance: pure numpy, no model."""

import numpy as np
import pytest

from explorer.maths.directions import principal_directions
from explorer.maths.fid import frechet_distance


def planted_activations(count=4000, dim=6, seed=0):
    """Activations that vary along known z-directions with known, decreasing strengths."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((count, dim))
    basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))  # rows: orthonormal z-directions
    strengths = np.array([10.0, 5.0, 2.0, 1.0, 0.5, 0.1])
    mixing = rng.standard_normal((dim, 30))  # any full-rank map to 30 features
    mixing, _ = np.linalg.qr(mixing.T)  # (30, dim) with orthonormal columns
    activations = ((z @ basis.T) * strengths) @ mixing.T + 0.01 * rng.standard_normal((count, 30))
    return z, activations, basis, strengths


def test_directions_are_orthonormal_and_ordered_by_variance():
    z, activations, _, _ = planted_activations()
    directions = principal_directions(z, activations, count=5)
    np.testing.assert_allclose(directions.vectors @ directions.vectors.T, np.eye(5), atol=1e-5)
    assert np.all(np.diff(directions.explained_variance) <= 0)
    assert 0 < directions.explained_variance.sum() <= 1


def test_directions_recover_the_planted_ones_in_order():
    z, activations, basis, strengths = planted_activations()
    directions = principal_directions(z, activations, count=4)
    alignment = np.abs(directions.vectors @ basis.T)  # |cos| between found and planted
    np.testing.assert_array_equal(alignment.argmax(axis=1), [0, 1, 2, 3])
    assert alignment.max(axis=1).min() > 0.99
    expected_share = strengths[:4] ** 2 / np.sum(strengths**2)
    np.testing.assert_allclose(directions.explained_variance, expected_share, rtol=0.1)


def test_count_is_capped_and_mismatched_rows_are_refused():
    z, activations, _, _ = planted_activations(count=50)
    assert principal_directions(z, activations, count=99).vectors.shape == (6, 6)
    with pytest.raises(ValueError, match="50 latent vectors but 49 rows"):
        principal_directions(z, activations[:49], count=2)


def test_slider_latent_moves_along_the_directions_in_sigma_units_and_scales_the_seed_by_psi():
    from explorer.maths.latent import slider_latent

    z, activations, _, _ = planted_activations()
    directions = principal_directions(z, activations, count=3)
    start = np.zeros(6, "float32")
    moved = slider_latent(start, 1.0, directions.vectors, [2.0])
    np.testing.assert_allclose(moved, 2.0 * directions.vectors[0], atol=1e-6)
    moved = slider_latent(start, 1.0, directions.vectors, [1.0, -1.0, 0.5])
    assert np.linalg.norm(moved) == pytest.approx(1.5, abs=1e-5)  # orthonormal: lengths add in squares
    seed = np.arange(6, dtype="float32")
    np.testing.assert_allclose(slider_latent(seed, 0.5, directions.vectors, []), seed / 2)


def test_frechet_distance_is_zero_for_one_set_and_the_mean_gap_for_shifted_ones():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((20000, 4))
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    b = rng.standard_normal((20000, 4)) + np.array([3.0, 0, 0, 4.0])
    assert frechet_distance(a, b) == pytest.approx(25.0, rel=0.02)


def test_frechet_distance_matches_scipy_sqrtm():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(2)
    a = rng.standard_normal((500, 5)) @ rng.standard_normal((5, 5))
    b = rng.standard_normal((500, 5)) @ rng.standard_normal((5, 5)) + 1
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    reference = (
        np.square(a.mean(0) - b.mean(0)).sum()
        + np.trace(cov_a + cov_b)
        - 2 * np.trace(scipy_linalg.sqrtm(cov_a @ cov_b).real)
    )
    assert frechet_distance(a, b) == pytest.approx(reference, rel=1e-6)


def test_a_finer_class_counts_as_read_when_the_classifier_reads_its_category():
    """A GAN conditioned on emoji subcategories ("family") is judged by a classifier of categories
    ("People & Body"): a sample reads as asked when it reads as its class's category."""
    from explorer.maths.fid import evaluate_generator, readable_classes

    class Fine:  # three classes: two under "people", one under "food"; asked alike
        latent_dim, class_names, class_parents, class_shares = (
            2,
            ["family", "hands", "fruit"],
            ["people"] * 2 + ["food"],
            (),
        )

        def generate(self, z, labels=None):
            return np.zeros((len(z), 4, 4, 1), np.uint8) + np.asarray(labels, np.uint8)[:, None, None, None]

    classifier_names = ["animals", "food", "people"]
    assert readable_classes(Fine(), 3, classifier_names).tolist() == [2, 2, 1]
    assert readable_classes(Fine(), 3, ["animals", "food"]) is None  # a parent the classifier lacks: no verdict
    # A classifier that reads every sample as "people": the family and hands samples, two thirds, read as asked.
    people = lambda x: np.tile(np.eye(3, dtype="float32")[2], (len(x), 1))  # noqa: E731
    metrics = evaluate_generator(
        Fine(), people, people, np.zeros((3000, 4, 4, 1), np.uint8), classifier_names=classifier_names
    )
    assert metrics["asked_class_read"] == pytest.approx(2 / 3, abs=0.01)
    # Classes that are the classifier's own still match one to one; a count that differs gets no verdict.
    Fine.class_parents = []
    assert readable_classes(Fine(), 3).tolist() == [0, 1, 2]
    assert readable_classes(Fine(), 10) is None
