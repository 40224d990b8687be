"""An embedding as the Projector page sees it: vectors, metadata columns, optional thumbnails.

Shipped embeddings live in a checkpoint folder as `embedding.npz` (written at training time, with
default projections beside them in `projections.npz`); imported ones come from TensorFlow
Projector files (`explorer.projector.files`). No TensorFlow, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Embedding:
    name: str  # shown in the data set picker and the URL
    vectors: np.ndarray  # (N, D) float32, the original space
    metadata: dict[str, np.ndarray] = field(default_factory=dict)  # column -> (N,) str array
    thumbnails: np.ndarray | None = None  # (N, h, w, C) uint8, or None
    description: str = ""  # one sentence: what the points are

    def __post_init__(self):
        self.vectors = np.asarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2:
            raise ValueError(f"Vectors must be a table of N rows and D columns, not shape {self.vectors.shape}.")
        for column, values in self.metadata.items():
            if len(values) != len(self.vectors):
                raise ValueError(f"Metadata column “{column}” has {len(values)} rows for {len(self.vectors)} vectors.")
        if self.thumbnails is not None and len(self.thumbnails) != len(self.vectors):
            raise ValueError(f"{len(self.thumbnails)} thumbnails for {len(self.vectors)} vectors.")

    def __len__(self) -> int:
        return len(self.vectors)

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]


EMBEDDING_FILE = "embedding.npz"  # vectors, thumbnails and metadata columns ("meta:NAME")
PROJECTIONS_FILE = "projections.npz"  # default projections computed at training time, by their key
METADATA_PREFIX = "meta:"


def save_embedding(folder: Path | str, embedding: Embedding) -> str:
    """Write `embedding.npz` into a checkpoint folder; returns the file name for the manifest."""
    arrays = {"vectors": embedding.vectors}
    if embedding.thumbnails is not None:
        arrays["thumbnails"] = embedding.thumbnails
    arrays.update(
        {METADATA_PREFIX + column: np.asarray(values).astype(str) for column, values in embedding.metadata.items()}
    )
    np.savez_compressed(Path(folder) / EMBEDDING_FILE, **arrays)
    return EMBEDDING_FILE


def load_embedding(folder: Path | str, name: str, description: str = "") -> Embedding:
    """Read a checkpoint's `embedding.npz` (never unpickling: only the app's own files are read)."""
    with np.load(Path(folder) / EMBEDDING_FILE, allow_pickle=False) as arrays:
        metadata = {key[len(METADATA_PREFIX) :]: arrays[key] for key in arrays.files if key.startswith(METADATA_PREFIX)}
        thumbnails = arrays["thumbnails"] if "thumbnails" in arrays.files else None
        return Embedding(name, arrays["vectors"], metadata, thumbnails, description)
