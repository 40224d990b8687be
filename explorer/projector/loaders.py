"""The non-linear projections' libraries, loaded lightly: umap-learn without the TensorFlow it would
pull in, numba's compilations kept on disk; and openTSNE's progress reports."""

from __future__ import annotations

import importlib.abc
import sys
import warnings
from collections.abc import Callable

Progress = Callable[[float, str], None]


class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
            raise ModuleNotFoundError(f"No module named {name!r} (kept out while umap loads)")
        return None


def import_umap():
    """umap-learn, without the TensorFlow its ParametricUMAP (unused here) imports when installed.

    With TensorFlow installed, as in training environments, `import umap` loads it: the app
    process grew from 206 MB to 1,152 MB on its first UMAP. Deployed without TensorFlow, nothing
    changes.
    """
    if "umap" in sys.modules or "tensorflow" in sys.modules:
        import umap

        _cache_compilations("umap")
        return umap
    blocker = _NoTensorFlow()
    sys.meta_path.insert(0, blocker)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # umap warns that ParametricUMAP is unavailable
            import umap
    finally:
        sys.meta_path.remove(blocker)
    _cache_compilations("umap")
    return umap


def _cache_compilations(package: str) -> None:
    """Keep `package`'s numba compilations on disk, so a new process does not compile them again.

    umap-learn marks few of its numba functions `cache=True`: every new process (each cold
    projection worker) compiled the rest before its first fit, 11 s on 24 points here. Cached,
    that first fit takes 0.1 s from the second worker on (`python -m tools bench projector`).
    numba keeps the files beside the package's sources, or in its user-wide cache directory where
    those are read-only, and recompiles by itself when the package changes.
    """
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] != package:
            continue
        for value in vars(module).values():
            if isinstance(value, Dispatcher) and isinstance(value._cache, NullCache):
                value.enable_caching()


class TSNEProgress:
    """An openTSNE callback that reports how far the two optimisation phases have come."""

    def __init__(self, report: Progress, total: int, early: int, every: int):
        self.report, self.total, self.early, self.every = report, total, early, every
        self.done = 0

    def __call__(self, iteration: int, error: float, embedding) -> bool:
        self.done += self.every
        phase = "early exaggeration (clusters form)" if self.done <= self.early else "refinement"
        self.report(
            0.1 + 0.85 * self.done / self.total,
            f"t-SNE {phase}: iteration {self.done} of {self.total}, KL divergence {error:.3f}.",
        )
        return False  # never stop early
