"""Projections: PCA against scikit-learn, seeded UMAP and t-SNE, sampling, custom axes, URL parameters."""

import numpy as np
import pytest

from explorer.projector import loaders, projection, queries
from explorer.projector.projection import (
    ProjectionParams,
    custom_projection,
    principal_components,
    project,
)
from explorer.projector.queries import query_mask
from tests.support.data import digits


def correlated_vectors(count=2000, dim=12, seed=0):
    """Gaussian vectors with clearly different variances along random directions."""
    rng = np.random.default_rng(seed)
    scales = np.linspace(5, 0.2, dim)
    basis, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    return (rng.standard_normal((count, dim)) * scales) @ basis.T + 3.0


# PCA ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2000, 12), (8, 12)], ids=["tall", "wide"])
def test_pca_matches_scikit_learn_up_to_sign(shape):
    from sklearn.decomposition import PCA

    vectors = correlated_vectors(*shape)
    result = project(vectors, ProjectionParams(method="pca", dims=3))
    reference = PCA(svd_solver="full").fit(vectors)
    expected = reference.transform(vectors)[:, :3]
    ratios = reference.explained_variance_ratio_
    assert result.explained_variance.shape == (shape[1],)
    np.testing.assert_allclose(result.explained_variance[: len(ratios)], ratios, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(result.explained_variance[len(ratios) :], 0.0)
    assert result.coordinates.shape == (shape[0], 3) and result.coordinates.dtype == np.float32
    for axis in range(3):
        sign = np.sign(result.coordinates[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(result.coordinates[:, axis], sign * expected[:, axis], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(result.indices, np.arange(shape[0]))


def test_pca_signs_are_fixed_by_the_largest_loading():
    vectors = correlated_vectors()
    _, components, variances = principal_components(vectors)
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]
    assert np.all(largest > 0)
    assert np.all(np.diff(variances) <= 0)
    shuffled = vectors[np.random.default_rng(1).permutation(len(vectors))]  # same data, other rounding
    np.testing.assert_allclose(principal_components(shuffled)[1], components, atol=1e-8)


def test_pca_puts_the_chosen_components_on_the_axes():
    vectors = correlated_vectors()
    first_three = project(vectors, ProjectionParams(method="pca", dims=3)).coordinates
    chosen = project(vectors, ProjectionParams(method="pca", dims=2, components=(2, 0))).coordinates
    np.testing.assert_array_equal(chosen[:, 0], first_three[:, 2])
    np.testing.assert_array_equal(chosen[:, 1], first_three[:, 0])
    with pytest.raises(ValueError, match="components 0 to 11 only"):
        project(vectors, ProjectionParams(method="pca", components=(0, 12)))


def test_pca_transform_of_the_training_points_gives_their_coordinates():
    vectors = correlated_vectors()
    result = project(vectors, ProjectionParams(method="pca", dims=3, components=(1, 4, 0)))
    np.testing.assert_allclose(result.transform(vectors), result.coordinates, atol=1e-5)
    assert result.transform(vectors[0]).shape == (1, 3)
    with pytest.raises(ValueError, match="12 numbers each"):
        result.transform(np.zeros((2, 5)))


def test_vectors_with_nan_are_refused_with_a_sentence():
    vectors = correlated_vectors(count=20)
    vectors[3, 1] = np.nan
    with pytest.raises(ValueError, match="1 of the 20 vectors contain NaN"):
        project(vectors)


# t-SNE and UMAP -------------------------------------------------------------------------------


def test_tsne_is_deterministic_for_a_seed_and_differs_between_seeds():
    vectors, _ = digits(200)
    reports = []
    first = project(
        vectors, ProjectionParams(method="tsne", seed=1), lambda fraction, message: reports.append(fraction)
    )
    again = project(vectors, ProjectionParams(method="tsne", seed=1))
    other_seed = project(vectors, ProjectionParams(method="tsne", seed=2))
    assert first.coordinates.shape == (200, 2) and first.coordinates.dtype == np.float32
    np.testing.assert_array_equal(first.coordinates, again.coordinates)
    assert not np.allclose(first.coordinates, other_seed.coordinates)
    assert reports[0] == 0.0 and reports[-1] == 1.0 and reports == sorted(reports) and len(reports) > 5
    assert first.explained_variance is None
    with pytest.raises(ValueError, match="t-SNE cannot place new points"):
        first.transform(vectors[:3])


def test_tsne_in_3d_and_a_perplexity_too_large_for_the_sample():
    vectors, _ = digits(60)
    result = project(vectors, ProjectionParams(method="tsne", dims=3, perplexity=50))
    assert result.coordinates.shape == (60, 3)
    assert np.isfinite(result.coordinates).all()
    assert "Perplexity lowered from 50 to 19.7" in result.note


def test_umap_is_deterministic_places_new_points_and_differs_between_seeds():
    # One test only: the first UMAP fit in a process compiles numba code (about a minute here).
    vectors, _ = digits(300)
    params = ProjectionParams(method="umap", n_neighbors=10, seed=3)
    first, again = project(vectors, params), project(vectors, params)
    other_seed = project(vectors, ProjectionParams(method="umap", n_neighbors=10, seed=4))
    assert first.coordinates.shape == (300, 2) and first.coordinates.dtype == np.float32
    np.testing.assert_array_equal(first.coordinates, again.coordinates)
    assert not np.allclose(first.coordinates, other_seed.coordinates)
    placed = first.transform(vectors[:5])
    assert placed.shape == (5, 2) and np.isfinite(placed).all()


def test_umap_compilations_are_kept_on_disk_for_the_next_worker():
    # Each cold projection worker compiled umap's numba kernels again (11 s before a 24-point fit).
    from pathlib import Path

    vectors, _ = digits(30)
    project(vectors, ProjectionParams(method="umap", n_neighbors=5))
    umap = loaders.import_umap()
    for kernel in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths):
        assert Path(kernel._cache._cache_file._index_path).exists(), kernel.__name__


# Sampling ---------------------------------------------------------------------------------------


def test_beyond_the_limit_a_seeded_sample_is_projected_and_the_note_says_so(monkeypatch):
    monkeypatch.setattr(projection, "PCA_MAX_POINTS", 500)
    vectors = correlated_vectors(count=2000)
    result = project(vectors, ProjectionParams(method="pca", seed=7))
    assert result.coordinates.shape == (500, 2) and result.indices.shape == (500,)
    assert len(np.unique(result.indices)) == 500 and np.all(np.diff(result.indices) > 0)
    assert result.note == (
        "A random sample of 500 of the 2,000 points (seed 7): PCA without sampling is limited to 500."
    )
    np.testing.assert_array_equal(project(vectors, ProjectionParams(method="pca", seed=7)).indices, result.indices)
    assert not np.array_equal(project(vectors, ProjectionParams(method="pca", seed=8)).indices, result.indices)
    np.testing.assert_allclose(result.coordinates, result.transform(vectors[result.indices]), atol=1e-5)
    smaller = project(vectors, ProjectionParams(method="pca", max_points=100))
    assert len(smaller.indices) == 100 and "limited to 100." in smaller.note
    assert project(vectors[:400], ProjectionParams(method="pca")).note == ""


def test_tsne_samples_beyond_its_own_limit(monkeypatch):
    monkeypatch.setattr(projection, "TSNE_MAX_POINTS", 80)
    vectors, _ = digits(200)
    result = project(vectors, ProjectionParams(method="tsne"))
    assert result.coordinates.shape == (80, 2) and len(result.indices) == 80
    assert result.note.startswith("A random sample of 80 of the 200 points (seed 0): t-SNE without sampling")


# Custom axes ------------------------------------------------------------------------------------


def two_clusters(count=100, dim=6, seed=0):
    """Cluster A around −5·e0 and cluster B around +5·e0, with labels "a…" and "b…"."""
    rng = np.random.default_rng(seed)
    offsets = np.zeros(dim)
    offsets[0] = 5.0
    vectors = rng.standard_normal((2 * count, dim)) * 0.5
    vectors[:count] -= offsets
    vectors[count:] += offsets
    labels = np.array([f"a{i}" for i in range(count)] + [f"B{i}" for i in range(count)])
    return vectors, labels


def test_custom_x_axis_runs_from_the_left_centroid_to_the_right_one():
    vectors, labels = two_clusters()
    result = custom_projection(vectors, labels.astype("U1") == "a", labels.astype("U1") == "B")
    x = result.coordinates[:, 0]
    assert result.coordinates.shape == (200, 2)
    assert x[:100].max() < x[100:].min()
    np.testing.assert_allclose(x, vectors[:, 0] - vectors[:, 0].mean(), atol=0.5)  # the axis is about e0
    np.testing.assert_allclose(result.transform(vectors), result.coordinates, atol=1e-5)


def test_custom_y_axis_is_made_orthogonal_to_x():
    vectors, labels = two_clusters()
    is_a = np.char.startswith(labels, "a")
    upper = vectors[:, 1] > 0
    result = custom_projection(vectors, is_a, ~is_a, up=upper, down=~upper, dims=3)
    assert result.coordinates.shape == (200, 3)
    y = result.coordinates[:, 1]
    assert y[upper].min() > y[~upper].max() - 1.0  # y follows e1 once x is removed
    centred = vectors - vectors.mean(axis=0)
    axes = np.linalg.lstsq(centred, result.coordinates.astype("float64"), rcond=None)[0].T
    np.testing.assert_allclose(axes @ axes.T, np.eye(3), atol=1e-4)


def test_custom_projection_through_params_and_labels():
    vectors, labels = two_clusters()
    params = ProjectionParams(method="custom", left="^a", right="^b", regex=True)
    result = project(vectors, params, labels=labels)
    assert result.coordinates[:100, 0].max() < result.coordinates[100:, 0].min()
    with pytest.raises(ValueError, match="The right query “zebra” matched no points"):
        project(vectors, ProjectionParams(method="custom", left="a", right="zebra"), labels=labels)


def test_custom_projection_explains_empty_queries_and_identical_centroids():
    vectors, labels = two_clusters()
    nothing = np.zeros(len(vectors), dtype=bool)
    is_a = np.char.startswith(labels, "a")
    with pytest.raises(ValueError, match="The left query matched no points"):
        custom_projection(vectors, nothing, ~is_a)
    with pytest.raises(ValueError, match="The up query matched no points"):
        custom_projection(vectors, is_a, ~is_a, up=nothing, down=is_a)
    with pytest.raises(ValueError, match="same centroid"):
        custom_projection(vectors, is_a, is_a)
    with pytest.raises(ValueError, match="differ only along the left–right axis"):
        custom_projection(vectors, is_a, ~is_a, up=~is_a, down=is_a)
    with pytest.raises(ValueError, match="both an up and a down query"):
        custom_projection(vectors, is_a, ~is_a, up=is_a)


def test_query_mask_plain_text_regex_and_a_bad_regex():
    values = np.array(["Happy dog", "sad cat", "HAPPY cat", "(abc)"])
    np.testing.assert_array_equal(query_mask(values, "happy", regex=False), [True, False, True, False])
    np.testing.assert_array_equal(query_mask(values, "(abc", regex=False), [False, False, False, True])
    np.testing.assert_array_equal(query_mask(values, r"^(sad|happy) cat$", regex=True), [False, True, True, False])
    np.testing.assert_array_equal(query_mask(np.array([1, 12, 3]), "1", regex=False), [True, True, False])
    with pytest.raises(ValueError, match="^“\\(abc” is not a valid regular expression: "):
        query_mask(values, "(abc", regex=True)


# Parameters in a URL ----------------------------------------------------------------------------


def test_a_regular_expression_that_backtracks_for_ever_gets_a_sentence(monkeypatch):
    monkeypatch.setattr(queries, "REGEX_SECONDS", 0.05)
    with pytest.raises(ValueError, match="takes too long to match"):
        query_mask(np.array(["x" * 3000, "y"]), r"(x+x+)+y", regex=True)
