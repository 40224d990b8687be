"""Projections of many vectors to 2-D or 3-D for a Projector page (like projector.tensorflow.org).

Four methods, each a function of arrays that returns a `Projection`:

* PCA in numpy: the directions of greatest variance, with every component's share of it.
* UMAP (umap-learn) and t-SNE (openTSNE): non-linear maps that keep neighbours together.
* Custom: axes between the centroids of points matching text queries, as in the TensorFlow
  Projector ("from sad to happy").

The same `ProjectionParams` (including the seed) always give the same picture, and the
parameters have a stable URL-query form (`to_query`), which names shipped projections. umap and openTSNE are imported inside
the functions that use them: `import umap` alone takes about 20 s on a small machine.
Beyond a method's point limit a seeded random sample is projected, and the note says so.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import partial

import numpy as np

from explorer.projector.loaders import TSNEProgress, import_umap
from explorer.projector.queries import query_mask

# PCA and custom axes: linear and cheap, but each point drawn is also ~200 bytes a box or lasso sends
# back (Plotly's event: 21 MB for 100,000); 50,000, as projector.tensorflow.org's PCA sample.
PCA_MAX_POINTS = 50_000
UMAP_MAX_POINTS = 10_000  # UMAP: about a minute for 10,000 points on two cores
TSNE_MAX_POINTS = 10_000  # t-SNE: likewise
NEIGHBOUR_METHODS_MIN_POINTS = 5  # fewer points than this have no neighbourhoods to keep

METHODS = ("pca", "umap", "tsne", "custom")
METRICS = ("euclidean", "cosine")
METHOD_NAMES = {"pca": "PCA", "umap": "UMAP", "tsne": "t-SNE", "custom": "a custom projection"}
MAX_COMPONENT = 9_999  # highest principal component a URL may ask for (0-based)
MAX_QUERY_LENGTH = 200  # characters of a custom-axis query (the page's text fields)
MAX_SEED = 2**32 - 1  # numpy's seeds

Progress = Callable[[float, str], None]  # (fraction done 0..1, a short sentence)


@dataclass(frozen=True)
class ProjectionParams:
    """Everything that decides a projection; frozen and hashable, so a page can cache on it."""

    method: str = "pca"  # pca, umap, tsne, or custom (axes from text queries)
    dims: int = 2  # 2 or 3 coordinates per point
    components: tuple[int, ...] = (0, 1, 2)  # PCA: principal components on x, y[, z]; 0 = most variance
    n_neighbors: int = 15  # UMAP: neighbourhood size; small = local detail, large = global shape
    min_dist: float = 0.1  # UMAP: how tightly points may pack, 0 (clumps) to 1 (spread out)
    metric: str = "euclidean"  # UMAP and t-SNE: distance in the original space, or "cosine"
    perplexity: float = 30.0  # t-SNE: roughly how many neighbours each point attends to
    learning_rate: float | str = "auto"  # t-SNE: step size; "auto" = points / exaggeration (openTSNE's rule)
    seed: int = 0  # UMAP, t-SNE and sampling: same seed, same picture
    max_points: int | None = None  # lower the method's point limit; None = PCA 50,000, others 10,000
    left: str = ""  # custom: the x axis runs from points matching `left`...
    right: str = ""  # ...to points matching `right`
    up: str = ""  # custom: y runs from `down` to `up`; both empty = most variance left
    down: str = ""
    regex: bool = False  # custom: queries are regular expressions, not plain text

    def to_query(self) -> dict[str, str]:
        """The fields that differ from the defaults, as strings for a URL's query."""
        defaults = ProjectionParams()
        query = {}
        for each in fields(self):
            value = getattr(self, each.name)
            if value == getattr(defaults, each.name):
                continue
            if isinstance(value, bool):
                query[each.name] = "1" if value else "0"
            elif isinstance(value, tuple):
                query[each.name] = ",".join(str(number) for number in value)
            else:
                query[each.name] = str(value)  # str(float) reads back exactly
        return query


@dataclass
class Projection:
    """Where each projected point lands, and how to place more points in the same picture."""

    coordinates: np.ndarray  # (n, dims) float32
    indices: np.ndarray  # (n,) rows of the input these are: all of them, or a sample
    explained_variance: np.ndarray | None  # PCA: (D,) every component's share of the variance; else None
    note: str = ""  # a sentence for the page (sampling, a lowered perplexity) or ""
    seconds: float = 0.0  # wall-clock time the projection took
    params: ProjectionParams | None = None  # what made it
    input_dims: int = 0  # D of the vectors it was fitted on
    placer: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    cannot_place: str = ""  # why `transform` is impossible, when it is

    def transform(self, new_vectors: np.ndarray) -> np.ndarray:
        """Coordinates (m, dims) of new vectors (m, D) in this picture, without refitting."""
        if self.placer is None:
            raise ValueError(
                self.cannot_place or "This projection cannot place new points; project them with the rest."
            )
        new_vectors = np.atleast_2d(np.asarray(new_vectors))
        if new_vectors.ndim != 2 or (self.input_dims and new_vectors.shape[1] != self.input_dims):
            raise ValueError(
                f"New points must have {self.input_dims} numbers each, like the projected ones; "
                f"got an array of shape {new_vectors.shape}."
            )
        return np.asarray(self.placer(new_vectors), dtype=np.float32)


def describe(params: ProjectionParams) -> str:
    """The projection in a few words, for a caption: "UMAP: 15 neighbours, minimum distance 0.1, cosine"."""
    if params.method == "pca":
        return "PCA: components " + ", ".join(str(c + 1) for c in params.components[: params.dims])
    if params.method == "umap":
        settings = f"{params.n_neighbors} neighbours, minimum distance {params.min_dist:g}"
    elif params.method == "tsne":
        rate = params.learning_rate if params.learning_rate == "auto" else f"{params.learning_rate:g}"
        settings = f"perplexity {params.perplexity:g}, learning rate {rate}"
    else:
        return "Custom axes"
    return f"{METHOD_NAMES[params.method]}: {settings}, {params.metric}, seed {params.seed}"


def project(
    vectors: np.ndarray,
    params: ProjectionParams = ProjectionParams(),
    progress: Progress | None = None,
    labels: np.ndarray | None = None,
) -> Projection:
    """Project `vectors` (N, D) as `params` say; `labels` (N,) text is needed only for custom axes."""
    started = time.perf_counter()
    report = progress or _silent
    vectors = _as_matrix(vectors)
    if params.method not in METHODS:
        raise ValueError(f"“{params.method}” is not a projection this page knows; choose one of {', '.join(METHODS)}.")
    if params.dims not in (2, 3):
        raise ValueError(f"A projection has 2 or 3 dimensions, not {params.dims}.")
    name = METHOD_NAMES[params.method]
    limit = point_limit(params)
    indices = sample_indices(len(vectors), limit, params.seed)
    notes = []
    if len(indices) < len(vectors):
        notes.append(
            f"A random sample of {limit:,} of the {len(vectors):,} points (seed {params.seed}): "
            f"{name} without sampling is limited to {limit:,}."
        )
    report(0.0, f"Projecting {len(indices):,} points with {name}.")

    explained_variance, placer, cannot_place = None, None, ""
    if params.method == "pca":
        coordinates, explained_variance, placer = _pca(vectors[indices], params)
    elif params.method == "umap":
        coordinates, placer = _umap(vectors[indices], params, report)
    elif params.method == "tsne":
        coordinates, perplexity_note = _tsne(vectors[indices], params, progress)
        notes.append(perplexity_note)
        cannot_place = (
            "t-SNE cannot place new points in a finished picture; project them together with "
            "the others, or use PCA or UMAP."
        )
    else:
        custom = _custom_from_queries(vectors, params, labels)
        coordinates, placer = custom.coordinates[indices], custom.placer

    seconds = time.perf_counter() - started
    report(1.0, f"Projected {len(indices):,} points with {name} in {seconds:.1f} s.")
    return Projection(
        coordinates=np.asarray(coordinates, dtype=np.float32),
        indices=indices,
        explained_variance=explained_variance,
        note=" ".join(note for note in notes if note),
        seconds=seconds,
        params=params,
        input_dims=vectors.shape[1],
        placer=placer,
        cannot_place=cannot_place,
    )


def point_limit(params: ProjectionParams) -> int:
    """How many points `params.method` projects before it samples (read when called, so tests can lower it)."""
    limits = {"pca": PCA_MAX_POINTS, "custom": PCA_MAX_POINTS, "umap": UMAP_MAX_POINTS, "tsne": TSNE_MAX_POINTS}
    built_in = limits.get(params.method, PCA_MAX_POINTS)
    return built_in if params.max_points is None else max(1, min(int(params.max_points), built_in))


def sample_indices(count: int, limit: int, seed: int) -> np.ndarray:
    """All of range(count) if it fits under `limit`, else `limit` of them drawn with `seed`, in order."""
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=limit, replace=False))


def _silent(fraction: float, message: str) -> None:
    """The progress report when nobody is listening."""


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(vectors) == 0:
        raise ValueError(
            f"A projection needs a matrix of vectors (N, D) with at least one row; "
            f"got an array of shape {vectors.shape}."
        )
    finite_rows = np.isfinite(vectors).all(axis=1)
    if not finite_rows.all():
        raise ValueError(
            f"{np.count_nonzero(~finite_rows):,} of the {len(vectors):,} vectors contain NaN or "
            f"infinite numbers; remove or fill them before projecting."
        )
    return vectors


# PCA ------------------------------------------------------------------------------------------


def principal_components(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mean (D,), components (K, D) as unit rows, most variance first, and each one's variance (K,).

    K = D, except that N < D points span at most N directions. Each component's largest loading
    (by absolute value) is positive, so the same data always give the same signs.
    """
    centred = np.asarray(vectors, dtype=np.float64).copy()
    mean = centred.mean(axis=0)
    centred -= mean
    count, dims = centred.shape
    if count >= dims:
        # The D×D covariance costs N·D² once and is small whatever N is; its eigenvectors are the components.
        covariance = centred.T @ centred / max(count - 1, 1)
        variances, eigenvectors = np.linalg.eigh(covariance)  # ascending
        order = np.argsort(variances)[::-1]
        components = eigenvectors[:, order].T
        variances = np.clip(variances[order], 0.0, None)  # rounding can dip below zero
    else:
        _, singular_values, components = np.linalg.svd(centred, full_matrices=False)
        variances = np.square(singular_values) / max(count - 1, 1)
    largest = np.abs(components).argmax(axis=1)
    signs = np.where(components[np.arange(len(components)), largest] < 0, -1.0, 1.0)
    return mean, components * signs[:, None], variances


def _pca(vectors: np.ndarray, params: ProjectionParams):
    mean, components, variances = principal_components(vectors)
    chosen = tuple(params.components[: params.dims])
    if len(chosen) < params.dims:
        raise ValueError(f"A {params.dims}-D PCA needs {params.dims} components; only {len(chosen)} were chosen.")
    for component in chosen:
        if not 0 <= component < len(components):
            raise ValueError(
                f"PCA component {component} was asked for, but {len(vectors):,} points in "
                f"{vectors.shape[1]} dimensions have components 0 to {len(components) - 1} only."
            )
    axes = components[list(chosen)]  # (dims, D)
    total = variances.sum()
    ratios = np.zeros(vectors.shape[1])
    if total > 0:
        ratios[: len(variances)] = variances / total
    return _linear_place(mean, axes, vectors), ratios, partial(_linear_place, mean, axes)


def _linear_place(mean: np.ndarray, axes: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Coordinates along unit `axes` (dims, D) of vectors measured from `mean`."""
    return ((np.asarray(vectors, dtype=np.float64) - mean) @ axes.T).astype(np.float32)


# UMAP and t-SNE ---------------------------------------------------------------------------------


def _require_neighbourhoods(sample: np.ndarray, name: str) -> None:
    if len(sample) < NEIGHBOUR_METHODS_MIN_POINTS:
        raise ValueError(
            f"{name} needs at least {NEIGHBOUR_METHODS_MIN_POINTS} points; there are only "
            f"{len(sample)}. Use PCA for so few."
        )


def _umap(sample: np.ndarray, params: ProjectionParams, report: Progress):
    _require_neighbourhoods(sample, "UMAP")
    report(0.02, "Loading UMAP (the first time in a session takes a while).")
    umap = import_umap()

    reducer = umap.UMAP(
        n_components=params.dims,
        n_neighbors=min(params.n_neighbors, len(sample) - 1),
        min_dist=params.min_dist,
        metric=params.metric,
        random_state=params.seed,  # makes UMAP deterministic (and single-threaded)
    )
    report(0.1, f"Fitting UMAP to {len(sample):,} points.")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*overridden to 1 by setting random_state.*")
        coordinates = reducer.fit_transform(np.asarray(sample, dtype=np.float32))
    return coordinates, reducer.transform


def _tsne(sample: np.ndarray, params: ProjectionParams, progress: Progress | None):
    _require_neighbourhoods(sample, "t-SNE")
    report = progress or _silent
    report(0.02, "Loading openTSNE.")
    from openTSNE import TSNE

    # Each point's neighbourhood holds 3 × perplexity points, so a small sample caps the perplexity.
    perplexity = min(float(params.perplexity), (len(sample) - 1) / 3)
    note = (
        ""
        if perplexity == params.perplexity
        else (
            f"Perplexity lowered from {params.perplexity:g} to {perplexity:.3g}: {len(sample)} points cannot support more."
        )
    )
    every = 50  # iterations between progress reports
    tsne = TSNE(
        n_components=params.dims,
        perplexity=perplexity,
        learning_rate=params.learning_rate,
        metric=params.metric,
        # openTSNE's FFT gradient handles at most 2 dimensions, so 3-D takes Barnes-Hut. In 2-D its
        # "auto" picks Barnes-Hut below 10,000 points and FFT from there: here BH took 4 s against
        # FFT's 21 s for 1,797 digits, and 40 s against 52 s for 10,000 points.
        negative_gradient_method="auto" if params.dims == 2 else "bh",
        n_jobs=1,  # one thread: the same seed gives exactly the same picture
        random_state=params.seed,
        callbacks_every_iters=every,
    )
    if progress is not None:  # a callback costs an evaluation of the KL divergence each time
        tsne.callbacks = [
            TSNEProgress(progress, tsne.early_exaggeration_iter + tsne.n_iter, tsne.early_exaggeration_iter, every)
        ]
    report(0.05, f"Finding the neighbours of {len(sample):,} points for t-SNE.")
    return np.asarray(tsne.fit(np.asarray(sample, dtype=np.float64))), note


# Custom axes ------------------------------------------------------------------------------------


def custom_projection(
    vectors: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    up: np.ndarray | None = None,
    down: np.ndarray | None = None,
    dims: int = 2,
) -> Projection:
    """Axes between centroids, as in the TensorFlow Projector's custom projection.

    x is the unit vector from the centroid of the points in `left` to that of `right`; y runs from
    `down` to `up`, made orthogonal to x, or, without them, follows the most variance left once x
    is removed; a third axis, if asked for, likewise. A point's coordinate on an axis is its dot
    product with it, measured from the mean of all points. The masks are boolean, one per point.
    """
    started = time.perf_counter()
    vectors = _as_matrix(vectors)
    centred = np.asarray(vectors, dtype=np.float64)
    mean = centred.mean(axis=0)
    centred = centred - mean
    if (up is None) != (down is None):
        raise ValueError("Give both an up and a down query, or neither (then y follows the most variance left).")
    x_axis = _direction(centred, left, right, "left", "right")
    if x_axis is None:
        raise ValueError(
            "The left and right queries pick points with the same centroid, so they set no direction; "
            "choose queries that match different points."
        )
    axes = [x_axis]
    if up is not None:
        y_axis = _direction(centred, down, up, "down", "up", orthogonal_to=axes)
        if y_axis is None:
            raise ValueError(
                "The up and down centroids differ only along the left–right axis (or not at all), "
                "so they set no second direction; choose other queries."
            )
        axes.append(y_axis)
    while len(axes) < dims:
        axes.append(_most_remaining_variance(centred, axes))
    axes = np.stack(axes)  # (dims, D)
    coordinates = (centred @ axes.T).astype(np.float32)
    return Projection(
        coordinates=coordinates,
        indices=np.arange(len(vectors)),
        explained_variance=None,
        seconds=time.perf_counter() - started,
        input_dims=vectors.shape[1],
        placer=partial(_linear_place, mean, axes),
    )


def _direction(
    centred: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    start_name: str,
    end_name: str,
    orthogonal_to: list[np.ndarray] = (),
) -> np.ndarray | None:
    """Unit vector from the centroid of `start` to that of `end`, minus its parts along `orthogonal_to`
    (Gram–Schmidt); None when nothing is left of it."""
    centroids = []
    for mask, name in ((start, start_name), (end, end_name)):
        mask = np.asarray(mask, dtype=bool).reshape(-1)
        if len(mask) != len(centred):
            raise ValueError(f"The {name} query's mask has {len(mask):,} entries for {len(centred):,} points.")
        if not mask.any():
            raise ValueError(f"The {name} query matched no points; change it so that it matches at least one.")
        centroids.append(centred[mask].mean(axis=0))
    direction = centroids[1] - centroids[0]
    for axis in orthogonal_to:
        direction = direction - (direction @ axis) * axis
    length = np.linalg.norm(direction)
    # Below a millionth of the data's spread the direction is rounding noise, not a difference.
    if length <= 1e-6 * max(np.abs(centred).max(initial=0.0), np.finfo(float).tiny):
        return None
    return direction / length


def _most_remaining_variance(centred: np.ndarray, axes: list[np.ndarray]) -> np.ndarray:
    """The first principal component of the points once their parts along `axes` are removed."""
    basis = np.stack(axes)  # (k, D) orthonormal
    remaining = centred - (centred @ basis.T) @ basis
    _, components, _ = principal_components(remaining)
    return components[0]


def _custom_from_queries(vectors: np.ndarray, params: ProjectionParams, labels: np.ndarray | None) -> Projection:
    """A custom projection whose masks come from the text queries in `params`, matched against `labels`."""
    if labels is None or len(labels) != len(vectors):
        raise ValueError("A custom projection matches its queries against the points' labels, and none were given.")
    if not params.left or not params.right:
        raise ValueError("A custom projection needs a left and a right query to set its x axis.")
    if bool(params.up) != bool(params.down):
        raise ValueError("Give both an up and a down query, or neither (then y follows the most variance left).")
    masks = {}
    for side in ("left", "right", "up", "down"):
        query = getattr(params, side)
        if query:
            masks[side] = query_mask(labels, query, params.regex)
            if not masks[side].any():
                raise ValueError(
                    f"The {side} query “{query}” matched no points; change it so that it matches at least one."
                )
    return custom_projection(
        vectors, masks["left"], masks["right"], masks.get("up"), masks.get("down"), dims=params.dims
    )


def projection_key(params: ProjectionParams) -> str:
    """A stable name for a parameter set: its URL query, sorted, with the method and dims always in."""
    query = {"method": params.method, "dims": str(params.dims), **params.to_query()}
    return "&".join(f"{key}={query[key]}" for key in sorted(query))
