"""Projections shared by every session of the app process: the finished ones, and the one worker.

A projection is keyed by (data set id, parameters, the column that labels it). UMAP and t-SNE run
in the worker process (numba and openTSNE grow the process that runs them; one worker makes the
jobs of many visitors queue rather than fight over two cores); PCA and custom axes run here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.lru import LRU
from explorer.projector import projection as proj
from explorer.projector.worker import ProjectionWorker

IN_WORKER = ("umap", "tsne")


class SharedProjections:
    """The last `size` finished projections, and the worker that fits the slow ones."""

    def __init__(self, size: int = 16):
        self.finished = LRU(size)
        self.worker = ProjectionWorker()

    def get(self, key: tuple) -> proj.Projection | None:
        return self.finished.get(key)

    def compute(
        self,
        key: tuple,
        vectors: np.ndarray,
        params: proj.ProjectionParams,
        progress: Callable[[float, str], None],
        labels: np.ndarray | None = None,
    ) -> proj.Projection:
        """Fit `params` to `vectors`, reporting `progress(fraction, message)`, and keep the result under `key`."""
        project = self.worker.project if params.method in IN_WORKER else proj.project
        result = project(vectors, params, progress=progress, labels=labels)
        self.finished[key] = result
        return result
