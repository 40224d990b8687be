"""Exact nearest neighbours against a brute-force reference written plainly here."""

import numpy as np
import pytest

from explorer.maths.neighbours import nearest


def brute_force(vectors, query_vector, metric, leave_out=None):
    """Every point's distance to the query, one at a time, sorted by (distance, index)."""
    rows = []
    for index, vector in enumerate(np.asarray(vectors, dtype="float64")):
        if index == leave_out:
            continue
        query = np.asarray(query_vector, dtype="float64")
        if metric == "euclidean":
            distance = np.sqrt(np.sum((vector - query) ** 2))
        else:
            norms = np.linalg.norm(vector) * np.linalg.norm(query)
            distance = 1.0 - (vector @ query / norms if norms > 0 else 0.0)
        rows.append((distance, index))
    rows.sort()
    return np.array([index for _, index in rows]), np.array([distance for distance, _ in rows])


def clustered_vectors(count=500, dim=16, seed=0):
    """float32 points in a few tight clusters, so many neighbours are almost equally far."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((5, dim)) * 3
    return (centres[rng.integers(0, 5, count)] + 0.05 * rng.standard_normal((count, dim))).astype("float32")


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_nearest_by_index_matches_brute_force_and_leaves_out_the_query(metric):
    vectors = clustered_vectors()
    for query in (0, 17, 499):
        indices, distances = nearest(vectors, query, k=25, metric=metric)
        expected_indices, expected_distances = brute_force(vectors, vectors[query], metric, leave_out=query)
        assert query not in indices
        np.testing.assert_array_equal(indices, expected_indices[:25])
        np.testing.assert_allclose(distances, expected_distances[:25], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_nearest_to_a_free_vector_may_return_every_point(metric):
    vectors = clustered_vectors(count=60, dim=5, seed=1).astype("float64")
    query = np.random.default_rng(2).standard_normal(5)
    indices, distances = nearest(vectors, query, k=60, metric=metric)
    expected_indices, expected_distances = brute_force(vectors, query, metric)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-12)


def test_k_larger_than_the_data_is_clipped_to_the_other_points():
    vectors = clustered_vectors(count=10, dim=4)
    indices, distances = nearest(vectors, 3, k=100, metric="euclidean")
    assert len(indices) == len(distances) == 9
    assert sorted(indices) == [0, 1, 2, 4, 5, 6, 7, 8, 9]
    assert np.all(np.diff(distances) >= 0)
    assert [len(result) for result in nearest(vectors[:1], 0, k=5)] == [0, 0]


def test_ties_are_broken_by_index():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [0.0, 1.0]])
    indices, distances = nearest(vectors, np.zeros(2), k=5, metric="euclidean")
    np.testing.assert_array_equal(indices, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(distances, 1.0)
    indices, _ = nearest(vectors, 1, k=2, metric="cosine")
    np.testing.assert_array_equal(indices, [4, 0])  # its duplicate, then the first of the ties


def test_zero_vectors_are_at_cosine_distance_one_and_never_nan():
    vectors = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype="float32")
    indices, distances = nearest(vectors, 0, k=3, metric="cosine")
    np.testing.assert_array_equal(indices, [1, 2, 3])
    np.testing.assert_allclose(distances, 1.0)
    indices, distances = nearest(vectors, 1, k=3, metric="cosine")
    np.testing.assert_array_equal(indices, [0, 2, 3])
    np.testing.assert_allclose(distances, 1.0)
    assert not np.isnan(nearest(vectors, np.zeros(2), k=4)[1]).any()


def test_mistakes_are_explained_in_sentences():
    vectors = clustered_vectors(count=10, dim=4)
    with pytest.raises(ValueError, match="numbered 0 to 9"):
        nearest(vectors, 10, k=3)
    with pytest.raises(ValueError, match="has 3 numbers but the vectors have 4"):
        nearest(vectors, np.zeros(3), k=3)
    with pytest.raises(ValueError, match="cosine or euclidean"):
        nearest(vectors, 0, k=3, metric="manhattan")
