"""Training data: turn a SOURCE argument into uint8 images (N, H, W, C) and optional labels.

SOURCE is `mnist` or `fashion_mnist` (keras.datasets, needs the internet), an `.npz` holding `x`
(and optionally `y`), or a folder of images (sub-folders become labels). Used by the command
line only; the app reads checkpoints, never training data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

LABEL_COLUMN = "category"  # an .npz without `y` takes its labels from this text column, if present
VARIANT = ":"  # a text label's variant follows this ("wave:1F3FD": wave, a skin tone) and shares its class
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}


class DataError(ValueError):
    """A training source that cannot be used; the message says why and what to do."""


@dataclass
class Dataset:
    x: np.ndarray  # uint8 (N, H, W, C), 0 = background
    y: np.ndarray | None  # int labels, or None
    origin: dict = field(default_factory=dict)  # where it came from, for the manifest
    label_names: list | None = None
    metadata: dict = field(default_factory=dict)  # name -> (N,) strings, e.g. the emoji's names
    label_parents: list | None = None  # each label's coarser class ("family" -> "People & Body"), if known


def load_dataset(source: str, image_size: int | None = None, labels: str | None = None) -> Dataset:
    """`labels`: the .npz column to label by (default `y`, else `category`)."""
    if labels and not (source.endswith(".npz") and Path(source).is_file()):
        raise DataError(f"--labels names a column of an .npz file; {source!r} is not one.")
    if source in ("mnist", "fashion_mnist"):
        data = _load_keras_dataset(source)
    else:
        path = Path(source)
        if path.is_dir():
            data = _load_folder(path, image_size or 28)
        elif path.suffix == ".npz" and path.is_file():
            data = _load_npz(path, labels)
        else:
            raise DataError(
                f"Cannot read training data from {source!r}: give 'mnist', 'fashion_mnist', "
                "an .npz file with an array 'x', or a folder of images."
            )
    if image_size and data.x.shape[1:3] != (image_size, image_size):
        data.x = resize_images(data.x, image_size)
    return data


def split_holdout(count: int, holdout: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, held-out) index split; the held-out part never trains."""
    if not 0 < holdout < count:
        raise DataError(f"Cannot hold out {holdout} of {count} images; use --holdout below {count}.")
    order = np.random.default_rng(seed).permutation(count)
    return np.sort(order[holdout:]), np.sort(order[:holdout])


def to_unit_float(x: np.ndarray) -> np.ndarray:
    return x.astype("float32") / 255.0


def resize_images(x: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    mode = "L" if x.shape[-1] == 1 else "RGB"
    resized = [
        np.asarray(
            Image.fromarray(img.squeeze(-1) if mode == "L" else img, mode).resize(
                (size, size), Image.Resampling.LANCZOS
            )
        )
        for img in x
    ]
    return np.stack(resized).reshape(len(x), size, size, x.shape[-1])


def _as_nhwc_uint8(x: np.ndarray, what: str) -> np.ndarray:
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3):
        raise DataError(f"{what}: expected images shaped (N, H, W) or (N, H, W, 1|3), got {x.shape}.")
    if x.dtype != np.uint8:
        top = float(np.nanmax(x)) if x.size else 0.0
        x = np.clip(x * (255.0 if top <= 1.0 else 1.0), 0, 255).round().astype(np.uint8)
    return x


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load_npz(path: Path, labels: str | None = None) -> Dataset:
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        raise DataError(f"{path} is not a readable .npz file ({error}).") from None
    if "x" not in archive:
        raise DataError(f"{path} has no array named 'x' (it has: {', '.join(archive.files)}).")
    x = _as_nhwc_uint8(archive["x"], str(path))
    metadata = {
        key: archive[key]
        for key in archive.files
        if key not in ("x", "y") and archive[key].ndim == 1 and archive[key].dtype.kind == "U"
    }
    for key, values in {"y": archive["y"] if "y" in archive else None, **metadata}.items():
        if values is not None and len(values) != len(x):
            raise DataError(f"{path}: '{key}' has {len(values)} entries for {len(x)} images.")
    label_names = label_parents = None
    column = labels or ("y" if "y" in archive else LABEL_COLUMN)
    if column == "y" and "y" in archive:
        y = archive["y"].astype("int64")
    elif column in metadata:  # text labels, like the emoji's categories
        label_names, y, label_parents = _text_labels(metadata, column)
    elif labels:
        columns = ", ".join(key for key in archive.files if key == "y" or key in metadata) or "none"
        raise DataError(f"{path} has no label column {labels!r} (its label columns: {columns}).")
    else:
        y = None
    origin = {"source": str(path), "file": path.name, "sha256": _sha256(path), "images": len(x)}
    if labels:
        origin["labels"] = labels
    return Dataset(x, y, origin, label_names, metadata, label_parents)


def _text_labels(metadata: dict, column: str) -> tuple[list, np.ndarray, list | None]:
    """Class names, int labels and (when `column` is finer than `category`) each class's category.

    A label's variant (after VARIANT) is dropped: labelled by `name`, an emoji and its skin tones are
    one class. The classes come sorted by category, then by whether they start with its name."""
    values = np.char.partition(metadata[column].astype(str), VARIANT)[:, 0]  # "wave:1F3FD" -> "wave"
    coarse = metadata[LABEL_COLUMN].astype(str) if LABEL_COLUMN in metadata and column != LABEL_COLUMN else None
    parents = {}
    for value, parent in zip(values.tolist(), coarse.tolist() if coarse is not None else ()):
        parents.setdefault(value, set()).add(parent)
    if not parents or any(len(group) > 1 for group in parents.values()):  # no finer column: no categories
        names, y = np.unique(values, return_inverse=True)
        return [str(name) for name in names], y.astype("int64"), None
    parent = {name: group.pop() for name, group in parents.items()}
    names = sorted(parent, key=lambda name: (parent[name], not name.startswith(parent[name]), name))
    index = {name: i for i, name in enumerate(names)}
    y = np.array([index[value] for value in values], dtype="int64")
    return names, y, [parent[name] for name in names]


def _load_keras_dataset(name: str) -> Dataset:
    import keras

    try:
        (x_train, y_train), _ = getattr(keras.datasets, name).load_data()
    except Exception as error:
        raise DataError(
            f"Could not download {name} ({error}). Without internet, pass an .npz file or a folder."
        ) from None
    origin = {"source": f"keras.datasets.{name}", "split": "train", "images": len(x_train)}
    return Dataset(_as_nhwc_uint8(x_train, name), y_train.astype("int64"), origin)


def _load_folder(folder: Path, image_size: int) -> Dataset:
    from PIL import Image, UnidentifiedImageError

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    images, labels, skipped = [], [], []
    label_names = sorted({p.parent.relative_to(folder).as_posix() for p in files if p.parent != folder})
    for path in files:
        try:
            with Image.open(path) as img:
                img.load()
                images.append(img.convert("RGBA") if img.mode in ("RGBA", "LA", "P") else img.convert("RGB"))
        except (UnidentifiedImageError, OSError):
            skipped.append(path.name)
            continue
        labels.append(label_names.index(path.parent.relative_to(folder).as_posix()) if path.parent != folder else -1)
    if not images:
        raise DataError(f"{folder} holds no readable images ({len(skipped)} other files).")
    grey = all(_is_grey(img) for img in images[:200])
    x = np.stack([_flatten_to_array(img, image_size, grey) for img in images])
    y = np.asarray(labels) if label_names and min(labels) >= 0 else None
    origin = {"source": str(folder), "images": len(x), "skipped_files": len(skipped)}
    return Dataset(x, y, origin, label_names or None)


def _flatten_to_array(img, size: int, grey: bool) -> np.ndarray:
    from PIL import Image

    if img.mode == "RGBA":
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img).convert("RGB")
    img = img.convert("L" if grey else "RGB").resize((size, size), Image.Resampling.LANCZOS)
    array = np.asarray(img, dtype=np.uint8)
    return array[..., None] if grey else array


def _is_grey(img) -> bool:
    rgb = np.asarray(img.convert("RGB"), dtype=np.int16)
    return bool(np.abs(rgb[..., 0] - rgb[..., 1]).max() < 8 and np.abs(rgb[..., 1] - rgb[..., 2]).max() < 8)
