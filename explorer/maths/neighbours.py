"""Exact k-nearest neighbours of one point in the original (high-dimensional) space.

What a Projector page shows when a point is clicked: its k closest points by cosine or Euclidean
distance, measured in the vectors themselves, not in the 2-D or 3-D picture. One query costs a
matrix-vector product and a partial sort, a few milliseconds for 100,000 × 128 float32 vectors,
so no index is built. Pure numpy.
"""

from __future__ import annotations

import numpy as np

METRICS = ("cosine", "euclidean")


def nearest(
    vectors: np.ndarray, query: int | np.ndarray, k: int, metric: str = "cosine"
) -> tuple[np.ndarray, np.ndarray]:
    """The k points closest to `query`: (indices (k,), distances (k,)), nearest first.

    `query` is either the index of a row of `vectors` (which is then left out of its own
    neighbours) or a vector of its own. Cosine distance is 1 − cos similarity, and a zero vector
    is at distance 1 from everything. k is clipped to the number of other points; equal
    distances are ordered by index, so the answer never depends on the sort's whims.
    """
    vectors = np.asarray(vectors)
    if vectors.ndim != 2:
        raise ValueError(f"Nearest neighbours need a matrix of vectors (N, D); got an array of shape {vectors.shape}.")
    if metric not in METRICS:
        raise ValueError(f"“{metric}” is not a distance this page knows; choose cosine or euclidean.")
    count = len(vectors)
    if isinstance(query, (int, np.integer)) and not isinstance(query, bool):
        if not 0 <= query < count:
            raise ValueError(f"There is no point {query}: the points are numbered 0 to {count - 1}.")
        excluded, query_vector = int(query), vectors[int(query)]
    else:
        excluded, query_vector = None, np.asarray(query).reshape(-1)
        if len(query_vector) != vectors.shape[1]:
            raise ValueError(
                f"The query has {len(query_vector)} numbers but the vectors have {vectors.shape[1]}; they must match."
            )
    k = min(int(k), count - (excluded is not None))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)

    # Fast pass in the vectors' own precision, then an exact pass on the few candidates: float32
    # rounding must not decide which of two almost equally distant points makes the cut.
    approximate, rounding = _fast_distances(vectors, query_vector, metric)
    if excluded is not None:
        approximate[excluded] = np.inf
    approximate[np.isnan(approximate)] = np.inf
    kth_smallest = np.partition(approximate, k - 1)[k - 1]
    candidates = np.flatnonzero(approximate <= kth_smallest + rounding)
    if excluded is not None:
        candidates = candidates[candidates != excluded]
    exact = _exact_distances(vectors[candidates], query_vector, metric)
    order = np.lexsort((candidates, exact))[:k]  # by distance, then by index
    return candidates[order].astype(np.int64), exact[order]


def _fast_distances(vectors: np.ndarray, query: np.ndarray, metric: str) -> tuple[np.ndarray, float]:
    """Distances (squared for Euclidean) from one matrix-vector product, and a bound on their rounding."""
    dtype = np.float32 if vectors.dtype == np.float32 else np.float64
    vectors = vectors.astype(dtype, copy=False)
    query = query.astype(dtype)
    # A dot product of D terms is off by at most about D machine epsilons of its scale; 4× for safety.
    relative_rounding = 4 * vectors.shape[1] * np.finfo(dtype).eps
    dots = vectors @ query  # (N,)
    squared_norms = np.einsum("ij,ij->i", vectors, vectors)  # (N,)
    query_squared_norm = float(query @ query)
    if metric == "cosine":
        norms = np.sqrt(squared_norms) * np.sqrt(query_squared_norm)
        similarity = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
        return 1.0 - similarity, relative_rounding
    squared = squared_norms - 2 * dots + query_squared_norm
    scale = float(squared_norms.max(initial=0.0)) + query_squared_norm
    return squared, relative_rounding * max(scale, np.finfo(dtype).tiny)


def _exact_distances(candidates: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    """Distances in float64, computed directly from the candidates' coordinates."""
    candidates = candidates.astype(np.float64)
    query = query.astype(np.float64)
    if metric == "euclidean":
        return np.linalg.norm(candidates - query, axis=1)
    norms = np.linalg.norm(candidates, axis=1) * np.linalg.norm(query)
    dots = candidates @ query
    similarity = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return 1.0 - similarity
