"""Checkpoint folders: `checkpoints/NAME/manifest.json` plus the files it names.

A manifest describes its model completely (kind, architecture config, data and split, training
settings, held-out metrics, date, library versions), so the app and the command line rebuild
everything from the folder alone. `read_checkpoint` gives it typed: the config as its dataclass,
the data as a `DataDescription`. Every training path writes its manifest with `new_manifest`.
Light: json and numpy only.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from explorer.config import MODEL_CONFIGS, model_config, to_dict

SHIPPED_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"
MANIFEST = "manifest.json"
TRAIN_HINT = "python -m explorer train vae|gan --data SOURCE --out checkpoints/NAME"


def checkpoint_root() -> Path:
    """Where the app looks for checkpoints: `LATENT_EXPLORER_CHECKPOINTS`, else the shipped ones."""
    return Path(os.environ.get("LATENT_EXPLORER_CHECKPOINTS") or SHIPPED_CHECKPOINTS)


def shown(path: Path) -> str:
    """A path as a person reads it: relative to the project when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(SHIPPED_CHECKPOINTS.parent))
    except ValueError:
        return str(path)


class CheckpointError(RuntimeError):
    """A checkpoint that is missing or unreadable; the message names the file and the fix."""


@dataclass(frozen=True)
class DataDescription:
    """What a model was trained on: the manifest's `data` section."""

    source: str = ""  # the path or name given to `train --data`
    file: str = ""  # its file name
    sha256: str = ""  # of that file
    images: int | None = None  # images in it (image models)
    holdout_images: int | None = None  # of those, kept out of training for the metrics
    label_names: tuple | None = None  # what each label is called, if the data had labels
    preprocess: str = "mnist"  # how served images are scaled: "mnist" (grey) or "rgb"
    split: str = ""  # how training and held-out data were separated, as a sentence

    @classmethod
    def from_manifest(cls, values: dict) -> DataDescription:
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        if known.get("label_names") is not None:
            known["label_names"] = tuple(str(label) for label in known["label_names"])
        return cls(**known)


@dataclass(frozen=True)
class Checkpoint:
    folder: Path
    manifest: dict = field(repr=False)
    config: object  # the model's config dataclass (VAEConfig, GANConfig, ...)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def title(self) -> str:
        return self.manifest.get("title", self.name)

    @property
    def data(self) -> DataDescription:
        return DataDescription.from_manifest(self.manifest.get("data") or {})

    @property
    def metrics(self) -> dict:
        """Held-out figures as training measured them on the served files ({} if none)."""
        return self.manifest.get("metrics") or {}

    @property
    def training(self) -> dict:
        """Training settings, epochs run and the per-epoch `history`."""
        return self.manifest.get("training") or {}

    @property
    def files(self) -> dict:
        """Role ("decoder", "embedding", ...) -> file name, for every file the checkpoint has."""
        return self.manifest["files"]

    def section(self, key: str) -> dict:
        """Another part of the manifest ("neighbours", "embedding", ...), {} if absent."""
        return self.manifest.get(key) or {}

    def file(self, role: str) -> Path:
        """Path of the file the manifest names for `role` ("encoder", "decoder", ...)."""
        try:
            path = self.folder / self.manifest["files"][role]
        except KeyError:
            raise CheckpointError(
                f"{shown(self.folder / MANIFEST)} names no '{role}' file; retrain it with: {TRAIN_HINT}"
            ) from None
        if not path.is_file():
            raise CheckpointError(f"{shown(path)} is missing; retrain the model with: {TRAIN_HINT}")
        return path


def read_checkpoint(folder: Path | str) -> Checkpoint:
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise CheckpointError(
            f"{shown(path)} is missing: {shown(folder)} is not a checkpoint. Train one with: {TRAIN_HINT}"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{shown(path)} is not valid JSON ({error}); retrain with: {TRAIN_HINT}") from None
    missing = [key for key in ("kind", "config", "files") if key not in manifest] if isinstance(manifest, dict) else []
    if not isinstance(manifest, dict) or missing:
        raise CheckpointError(f"{shown(path)} lacks {', '.join(missing) or 'an object'}; retrain with: {TRAIN_HINT}")
    if manifest["kind"] not in MODEL_CONFIGS:
        raise CheckpointError(
            f"{shown(path)} is of kind {manifest['kind']!r}, which this app does not know "
            f"(it knows {', '.join(MODEL_CONFIGS)}); retrain with: {TRAIN_HINT}"
        )
    try:
        config = model_config(manifest["kind"], manifest["config"])
    except (TypeError, ValueError) as error:
        raise CheckpointError(
            f"{shown(path)} has a config this app cannot use ({error}); retrain with: {TRAIN_HINT}"
        ) from None
    return Checkpoint(folder, manifest, config)


def list_checkpoints(kinds: tuple = (), root: Path | None = None) -> tuple[list, list]:
    """(usable checkpoints of the given kinds, [(folder, error sentence)] for broken ones)."""
    found, broken = [], []
    for folder in sorted(p for p in Path(root or checkpoint_root()).glob("*") if p.is_dir()):
        try:
            checkpoint = read_checkpoint(folder)
        except CheckpointError as error:
            broken.append((folder, str(error)))
            continue
        if not kinds or checkpoint.kind in kinds:
            found.append(checkpoint)
    return found, broken


# The files a page downloads and runs itself; written with float16 weights (training/export.py).
BROWSER_ROLES = ("decoder", "generator", "step", "discriminator")
# ...and the encoders, which only the server runs: float16 weights too, half the bytes in git.
HALF_ROLES = (*BROWSER_ROLES, "encoder")


def new_manifest(
    name: str, title: str, config, train, state: dict, data: dict, files: dict, training: dict | None = None, **sections
) -> dict:
    """The manifest of a freshly trained model, alike for every kind: what it is (`config`), how it
    was trained (`train` and the resumable run's `state`: epochs, best epoch, time, history, plus
    `training`'s extra facts), on what (`data`) and which files serve it. Other `sections`
    (vocabulary, embedding, neighbours) are the kind's own; metrics come after, from the served files."""
    return {
        "name": name,
        "kind": config.kind,
        "title": title,
        "config": to_dict(config),
        **sections,
        "training": {
            **to_dict(train),
            "epochs_run": state["epoch"],
            "best_epoch": state["best_epoch"],
            "train_seconds": round(state["seconds"], 1),
            **(training or {}),
            "history": state["history"],
        },
        "data": data,
        "files": files,
        "stored_as": stored_as(files),
    }


def stored_as(files: dict) -> dict:
    """Each .tflite's precision, as `training/export.py` writes it now: the files a page downloads, and
    the encoders, keep float16 weights (half the bytes); the classifiers float32."""
    return {
        role: "float16 weights, float32 arithmetic" if role in HALF_ROLES else "float32"
        for role, file in files.items()
        if file.endswith(".tflite")
    }


def write_manifest(folder: Path, manifest: dict, stamp: bool = True) -> None:
    """Write manifest.json; `stamp` records the date and library versions (off when adding to a checkpoint)."""
    if stamp:
        manifest = {
            **manifest,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": library_versions(),
        }
    (Path(folder) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def library_versions() -> dict:
    versions = {"python": platform.python_version()}
    for package in ("tensorflow", "tensorflow-cpu", "keras", "numpy", "ai-edge-litert"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def load_examples(checkpoint: Checkpoint) -> dict:
    """Held-out images (`x` uint8), labels (`y`) and their encodings (`mu`, `sigma`)."""
    return load_arrays(checkpoint, "examples")


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """`np.savez_compressed`, packed with LZMA instead of deflate: a checkpoint's images on white (the
    emoji GAN's 3,408 training images) take 3.0 MB instead of 5.3, and `np.load` reads the file as it
    reads any .npz (Python's zipfile unpacks LZMA; emoji-gan's images in 0.17 s instead of 0.03)."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as archive:
        for name, values in arrays.items():
            member = io.BytesIO()
            np.save(member, np.asarray(values), allow_pickle=False)
            archive.writestr(f"{name}.npy", member.getvalue())


def load_arrays(checkpoint: Checkpoint, role: str) -> dict:
    """The arrays of the .npz file the manifest names for `role`."""
    path = checkpoint.file(role)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except Exception as error:
        raise CheckpointError(
            f"{shown(path)} is not a readable .npz file ({error}); retrain with: {TRAIN_HINT}"
        ) from None
