"""Checkpoint folders: `checkpoints/NAME/manifest.json` plus the files it names.

A manifest describes its model completely (kind, architecture config, data and split, training
settings, held-out metrics, date, library versions), so the app and the command line rebuild
everything from the folder alone. Light: json and numpy only.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

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
class Checkpoint:
    folder: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def config(self) -> dict:
        return self.manifest["config"]

    @property
    def title(self) -> str:
        return self.manifest.get("title", self.name)

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
    return Checkpoint(folder, manifest)


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
