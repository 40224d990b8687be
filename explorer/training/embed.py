"""Ship a VAE's embedding for the Projector page: every image's latent mean, with its thumbnail,
its metadata and default projections, computed once so that the page opens instantly.

    python -m explorer embed checkpoints/mnist-vae-16d --data ../shared/data/mnist-9000.npz
    python -m explorer embed checkpoints/shakespeare-charrnn     # an embedding already there: projections only

`train vae --embed` and `train charrnn` run this at the end of training. Encoding goes through the
served LiteRT encoder, so the points are exactly where the app's VAE page puts them; no TensorFlow needed.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from explorer.checkpoint import read_checkpoint, write_manifest
from explorer.projector.embedding import PROJECTIONS_FILE, Embedding, load_embedding, save_embedding
from explorer.projector.projection import ProjectionParams, project, projection_key
from explorer.training.data import Dataset, split_holdout

# The page's defaults for the slow methods; PCA takes milliseconds and is always computed live.
DEFAULT_PROJECTIONS = (ProjectionParams("umap", 2), ProjectionParams("tsne", 2))


def vae_embedding(folder: Path, data: Dataset) -> Embedding:
    """Latent means of all of `data` under the VAE in `folder`, with labels and the train/held-out split."""
    from explorer.serving.models import ImageAutoencoder

    model = ImageAutoencoder.from_folder(folder)
    if data.x.shape[1:] != model.image_shape:
        raise ValueError(f"The data's images are {data.x.shape[1:]}, {model.name} takes {model.image_shape}.")
    mu = np.concatenate([model.encode_images(batch).mu for batch in np.array_split(data.x, max(1, len(data.x) // 500))])
    training = model.checkpoint.manifest["training"]
    split = np.full(len(data.x), "train", dtype="<U8")
    split[split_holdout(len(data.x), training["holdout"], training["seed"])[1]] = "held-out"
    metadata = {}
    columns = {column: np.asarray(values).astype(str) for column, values in data.metadata.items()}
    if data.y is not None:
        names = data.label_names
        labels = np.array([names[i] if names else str(i) for i in data.y])
        if not any(np.array_equal(labels, values) for values in columns.values()):  # emoji: y is the category
            metadata["label"] = labels
    metadata.update(columns)
    metadata["split"] = split
    source = Path(data.origin.get("source", "data")).name
    return Embedding(
        model.name, mu, metadata, data.x, f"Latent means of the {len(data.x):,} images of {source} under {model.name}."
    )


def write_embedding(folder: Path | str, data: Dataset) -> dict:
    """Write `embedding.npz` and `projections.npz` into a VAE checkpoint and name them in its manifest."""
    folder = Path(folder)
    embedding = vae_embedding(folder, data)
    manifest = read_checkpoint(folder).manifest
    manifest["files"] = {**manifest["files"], "embedding": save_embedding(folder, embedding)}
    manifest["embedding"] = {
        "points": len(embedding),
        "dims": embedding.dim,
        "columns": list(embedding.metadata),
        "description": embedding.description,
    }
    write_manifest(folder, manifest, stamp=False)  # the model's date and versions stay its own
    return write_projections(folder, embedding.vectors)


def write_projections(folder: Path | str, vectors: np.ndarray | None = None) -> dict:
    """Compute the page's default projections of a checkpoint's shipped embedding (`vectors`, if the
    caller has them in hand) into `projections.npz`, name the file in its manifest and record how long
    each took (what a first visitor no longer waits)."""
    folder = Path(folder)
    manifest = read_checkpoint(folder).manifest
    if vectors is None:
        vectors = load_embedding(folder, folder.name).vectors
    projections, timings = {}, {}
    for params in DEFAULT_PROJECTIONS:
        key = projection_key(params)
        result = project(vectors, params)
        projections[key] = result.coordinates.astype("float32")
        timings[key] = round(result.seconds, 2)
        print(f"{key}: {result.seconds:.1f} s")
    np.savez_compressed(folder / PROJECTIONS_FILE, **projections)
    manifest["files"] = {**manifest["files"], "projections": PROJECTIONS_FILE}
    manifest["embedding"] = {
        **manifest["embedding"],
        "default_projection_seconds": timings,
        "computed": time.strftime("%Y-%m-%d"),
    }
    write_manifest(folder, manifest, stamp=False)
    return manifest["embedding"]
