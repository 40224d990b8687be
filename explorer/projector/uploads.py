"""A Projector upload as a whole, and the export: projector_config.json, zips, and a set of files.

`load_projector_upload` is the Projector page's import: a config and the files it names, or a
vectors TSV with an optional metadata TSV and sprite, or a zip of either (an export reads back).
Zips are unpacked against a running total; neither their declared sizes nor their count are trusted.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable

import numpy as np

from explorer.projector import files as projector_files
from explorer.projector import sprites, tables
from explorer.projector.embedding import Embedding
from explorer.projector.files import ProjectorFileError
from explorer.projector.sprites import read_sprite, write_sprite
from explorer.projector.tables import read_metadata_tsv, read_vectors_tsv, write_metadata_tsv, write_vectors_tsv


def load_projector_upload(
    files: dict[str, bytes], single_image_dim: tuple[int, int] | None = None, tensor_name: str | None = None
) -> Embedding:
    """The embedding in a set of uploaded files, by file name: the Projector page's import.

    With a projector_config.json, the embedding named `tensor_name` (the first if None) is read
    from the files the config names. Otherwise the upload is one vectors TSV, an optional
    metadata TSV (its name contains "meta" or "label") and an optional sprite image whose
    thumbnail size is `single_image_dim` = (width, height), worked out when the sprite is square
    and a whole grid fits it exactly. A zip is unpacked first, so an export reads back.
    """
    files = _unpack_zips(files)
    if not files:
        raise ProjectorFileError(f"No files were uploaded. {projector_files.UPLOAD_HINT}")
    config_name = _pick_config(files)
    if config_name is not None:
        return read_config_embedding(files[config_name], _file_opener(files), config_name, tensor_name)
    vectors_name, metadata_name, sprite_name = _sort_uploads(files)
    vectors, labels = read_vectors_tsv(files[vectors_name], vectors_name)
    metadata = read_metadata_tsv(files[metadata_name], len(vectors), metadata_name) if metadata_name else {}
    thumbnails = None
    if sprite_name:
        sprite = files[sprite_name]
        cell = single_image_dim or _infer_single_image_dim(sprite, len(vectors), sprite_name)
        thumbnails = read_sprite(sprite, cell, len(vectors), sprite_name)
    return Embedding(
        name=projector_files.stem(vectors_name),
        vectors=vectors,
        metadata=_with_labels(metadata, labels),
        thumbnails=thumbnails,
        description=f"Imported from {projector_files.basename(vectors_name)}.",
    )


def upload_embedding_names(files: dict[str, bytes]) -> list[str]:
    """The embeddings an upload's projector_config.json lists (a page's choice), or [] without one."""
    files = _unpack_zips(files)
    config_name = _pick_config(files) if files else None
    return config_embedding_names(files[config_name], config_name) if config_name else []


def read_projector_config(
    data: bytes, open_file: Callable[[str], bytes], filename: str = projector_files.CONFIG_NAME
) -> list[Embedding]:
    """Every embedding a projector_config.json describes; `open_file(path)` returns the bytes of a file it names.

    `open_file` raises KeyError or OSError for a file it does not have.
    """
    entries = _config_entries(data, filename)
    return [_embedding_from_config(entry, number, open_file, filename) for number, entry in enumerate(entries, 1)]


def config_embedding_names(data: bytes, filename: str = projector_files.CONFIG_NAME) -> list[str]:
    """The names of the embeddings a projector_config.json lists, in order, without reading their files."""
    return [_entry_name(entry, number) for number, entry in enumerate(_config_entries(data, filename), 1)]


def read_config_embedding(
    data: bytes,
    open_file: Callable[[str], bytes],
    filename: str = projector_files.CONFIG_NAME,
    tensor_name: str | None = None,
) -> Embedding:
    """The one embedding named `tensor_name` (the first if None): only its files are read."""
    entries = _config_entries(data, filename)
    names = [_entry_name(entry, number) for number, entry in enumerate(entries, 1)]
    number = 1 if tensor_name is None else (names.index(tensor_name) + 1 if tensor_name in names else 0)
    if not number:
        listed = projector_files.listed([f"“{name}”" for name in names])
        raise ProjectorFileError(f"{filename} has no embedding named “{tensor_name}”; it has {listed}.")
    return _embedding_from_config(entries[number - 1], number, open_file, filename)


def _config_entries(data: bytes, filename: str) -> list:
    config = _parse_json(data, filename)
    entries = config.get("embeddings") if isinstance(config, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ProjectorFileError(
            f"{filename} lists no embeddings; it needs an “embeddings” list with at least "
            "one entry naming a tensorPath."
        )
    if len(entries) > projector_files.MAX_CONFIG_ENTRIES:
        raise ProjectorFileError(
            f"{filename} lists {len(entries):,} embeddings; up to {projector_files.MAX_CONFIG_ENTRIES} are accepted, "
            "so keep the ones to explore."
        )
    return entries


def _entry_name(entry, number: int) -> str:
    name = entry.get("tensorName") if isinstance(entry, dict) else None
    return projector_files.shorten(str(name), 80) if name else f"Embedding {number}"


def _parse_json(data: bytes, filename: str):
    text = projector_files.decode_text(data, filename)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ProjectorFileError(
            f"{filename}, line {error.lineno}: this is not valid JSON ({error.msg}); fix the file or export it again."
        ) from None
    except RecursionError:
        raise ProjectorFileError(f"{filename} is nested too deeply to be a Projector config.") from None
    except ValueError:  # an integer of more than 4,300 digits, which Python refuses to read
        raise ProjectorFileError(
            f"{filename} holds a number too long to be read; fix the file or export it again."
        ) from None


def _embedding_from_config(entry, number: int, open_file: Callable[[str], bytes], config_name: str) -> Embedding:
    where = f"{config_name}, embedding {number}"
    if not isinstance(entry, dict):
        raise ProjectorFileError(f"{where} is not an object with a tensorPath; check the “embeddings” list.")
    tensor_path = entry.get("tensorPath")
    if not tensor_path or not isinstance(tensor_path, str):
        raise ProjectorFileError(
            f"{where} has no tensorPath; only vectors kept in a file can be loaded, "
            "not ones kept in a TensorFlow checkpoint."
        )
    tensor_data = _open_named_file(open_file, tensor_path, config_name)
    if tensor_path.lower().endswith(projector_files.TABLE_SUFFIXES):
        vectors, labels = read_vectors_tsv(tensor_data, tensor_path)
    else:
        vectors, labels = _read_vectors_bytes(tensor_data, entry.get("tensorShape"), tensor_path, where), None
    metadata = {}
    metadata_path = entry.get("metadataPath")
    if metadata_path:
        metadata = read_metadata_tsv(
            _open_named_file(open_file, str(metadata_path), config_name), len(vectors), str(metadata_path)
        )
    thumbnails = None
    sprite = entry.get("sprite")
    if sprite:
        if not isinstance(sprite, dict) or not sprite.get("imagePath"):
            raise ProjectorFileError(f"{where}: “sprite” needs an imagePath and a singleImageDim of [width, height].")
        image_path = str(sprite["imagePath"])
        thumbnails = read_sprite(
            _open_named_file(open_file, image_path, config_name), sprite.get("singleImageDim"), len(vectors), image_path
        )
    return Embedding(
        name=_entry_name(entry, number),
        vectors=vectors,
        metadata=_with_labels(metadata, labels),
        thumbnails=thumbnails,
        description=f"Imported from {projector_files.basename(tensor_path)}.",
    )


def _open_named_file(open_file: Callable[[str], bytes], path: str, config_name: str) -> bytes:
    try:
        return open_file(path)
    except (KeyError, OSError):
        raise ProjectorFileError(
            f"{config_name} names “{path}”, which was not uploaded; upload it together with {config_name}."
        ) from None


def _read_vectors_bytes(data: bytes, tensor_shape, filename: str, where: str) -> np.ndarray:
    """Raw little-endian float32 vectors of shape [points, dimensions], as the Projector's demo .bytes files."""
    try:
        points, dimensions = (int(size) for size in tensor_shape)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise ProjectorFileError(
            f"{where}: “{filename}” is not a .tsv file, so it is read as raw float32 numbers, "
            "which needs a tensorShape of [points, dimensions]."
        ) from None
    projector_files.check_upload_size(data, filename)
    if points > projector_files.MAX_POINTS:
        raise ProjectorFileError(
            f"{filename} has {points:,} points; at most {projector_files.MAX_POINTS:,} are accepted."
        )
    tables.check_dimensions(dimensions, filename)
    expected_bytes = points * dimensions * 4
    if points < 1 or len(data) != expected_bytes:
        raise ProjectorFileError(
            f"{filename} is {len(data):,} bytes, but a tensorShape of [{points}, {dimensions}] "
            f"float32 numbers needs {max(expected_bytes, 0):,}; check tensorShape."
        )
    vectors = np.frombuffer(data, dtype="<f4").reshape(points, dimensions).astype(np.float32)
    bad_rows = np.flatnonzero(~np.isfinite(vectors).all(axis=1))
    if len(bad_rows):
        raise ProjectorFileError(
            f"{filename}, point {bad_rows[0] + 1}: holds NaN or infinity, which cannot be "
            "placed on a map; fix or remove the point."
        )
    return vectors


def _with_labels(metadata: dict[str, np.ndarray], labels: np.ndarray | None) -> dict[str, np.ndarray]:
    """The metadata file's columns plus the vectors file's labels, renamed if the metadata has a "label" too."""
    if labels is None:
        return metadata
    return {("vectors label" if "label" in metadata else "label"): labels, **metadata}


def _unpack_zips(files: dict[str, bytes]) -> dict[str, bytes]:
    unpacked = {}
    for name, data in files.items():
        unpacked.update(_read_zip(data, name) if name.lower().endswith(".zip") else {name: data})
    return unpacked


def _read_zip(data: bytes, filename: str) -> dict[str, bytes]:
    """The files in a zip, unpacked against a running total: neither its declared sizes nor its count are trusted."""
    projector_files.check_upload_size(data, filename)
    declared = _declared_entries(data)
    if declared > projector_files.MAX_ZIP_ENTRIES:  # before zipfile reads a record per entry (60,000 of them: 32 MB)
        raise ProjectorFileError(
            f"{filename} holds {declared:,} entries; a Projector zip holds a few "
            f"files, and up to {projector_files.MAX_ZIP_ENTRIES} are read."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > projector_files.MAX_ZIP_ENTRIES:
                raise ProjectorFileError(
                    f"{filename} holds {len(entries):,} entries; a Projector zip holds a few "
                    f"files, and up to {projector_files.MAX_ZIP_ENTRIES} are read."
                )
            members = [
                info
                for info in entries  # not nameless (damaged) entries, nor macOS Finder's extras
                if info.filename and not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            unpacked, budget = {}, projector_files.MAX_UPLOAD_BYTES
            for info in members:
                unpacked[info.filename] = _unpack_member(archive, info, budget, filename)
                budget -= len(unpacked[info.filename])
            return unpacked
    except ProjectorFileError:
        raise
    except RuntimeError:
        raise ProjectorFileError(f"{filename} is password-protected; zip it again without a password.") from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, zlib.error):
        raise ProjectorFileError(f"{filename} is not a zip archive that can be opened; zip the files again.") from None


def _declared_entries(data: bytes) -> int:
    """The entry count a zip's end record declares (zip64 too), or 0 when there is none to read."""
    import struct

    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return 0
    count = struct.unpack_from("<H", data, end + 10)[0]
    locator = end - 20
    if count == 0xFFFF and locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[record : record + 4] == b"PK\x06\x06" and record + 40 <= len(data):
            count = struct.unpack_from("<Q", data, record + 32)[0]
    return count


def _unpack_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, filename: str) -> bytes:
    """One member, a chunk at a time, refused as soon as the zip as a whole passes the upload limit."""
    too_big = ProjectorFileError(
        f"{filename} unpacks to more than {projector_files.MAX_UPLOAD_BYTES // 2**20} MB; up to "
        f"{projector_files.MAX_UPLOAD_BYTES // 2**20} MB is accepted."
    )
    if info.file_size > budget:
        raise too_big
    chunks, total = [], 0
    with archive.open(info) as member:
        while chunk := member.read(projector_files.ZIP_CHUNK):
            total += len(chunk)
            if total > budget:
                raise too_big
            chunks.append(chunk)
    return b"".join(chunks)


def _pick_config(files: dict[str, bytes]) -> str | None:
    configs = [name for name in files if name.lower().endswith(".json")]
    if len(configs) <= 1:
        return configs[0] if configs else None
    named = [name for name in configs if projector_files.basename(name) == projector_files.CONFIG_NAME]
    if len(named) == 1:
        return named[0]
    raise ProjectorFileError(
        f"Several .json files were uploaded ({projector_files.listed(configs)}); upload only the Projector's {projector_files.CONFIG_NAME}."
    )


def _sort_uploads(files: dict[str, bytes]) -> tuple[str, str | None, str | None]:
    """(vectors, metadata or None, sprite or None) among uploads that hold no config."""
    tables = [name for name in files if name.lower().endswith(projector_files.TABLE_SUFFIXES)]
    images = [name for name in files if name.lower().endswith(projector_files.IMAGE_SUFFIXES)]
    others = [
        name
        for name in files
        if not name.lower().endswith((*projector_files.TABLE_SUFFIXES, *projector_files.IMAGE_SUFFIXES))
    ]
    if others:
        raise ProjectorFileError(f"{others[0]} is not a file the Projector reads. {projector_files.UPLOAD_HINT}")
    is_metadata = [
        len(tables) > 1 and any(word in projector_files.basename(name).lower() for word in ("meta", "label"))
        for name in tables
    ]
    vector_tables = [name for name, meta in zip(tables, is_metadata) if not meta]
    metadata_tables = [name for name, meta in zip(tables, is_metadata) if meta]
    if not vector_tables:
        raise ProjectorFileError(f"No vectors file was uploaded. {projector_files.UPLOAD_HINT}")
    if len(vector_tables) > 1:
        raise ProjectorFileError(
            f"It is not clear which of {projector_files.listed(vector_tables)} holds the vectors; upload one "
            "vectors file, and give the metadata file a name containing “metadata”."
        )
    if len(metadata_tables) > 1:
        raise ProjectorFileError(
            f"Several metadata files were uploaded ({projector_files.listed(metadata_tables)}); upload one, with a column per field."
        )
    if len(images) > 1:
        raise ProjectorFileError(
            f"Several images were uploaded ({projector_files.listed(images)}); the sprite is one image holding every thumbnail."
        )
    return vector_tables[0], (metadata_tables[0] if metadata_tables else None), (images[0] if images else None)


def _infer_single_image_dim(data: bytes, count: int, filename: str) -> tuple[int, int]:
    """The thumbnail size of a square sprite that a ceil(sqrt(count)) grid divides exactly."""
    image = sprites.open_image(data, filename)
    side = projector_files.grid_side(count)
    if image.width != image.height or image.width % side:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels, so the size of one thumbnail "
            "cannot be worked out from it; enter the thumbnail width and height in pixels."
        )
    return image.width // side, image.height // side


def _file_opener(files: dict[str, bytes]) -> Callable[[str], bytes]:
    """Look a config's path up among the uploads: exactly, else by file name, as uploads lose their folders."""
    by_basename = {projector_files.basename(name): data for name, data in files.items()}

    def open_file(path: str) -> bytes:
        return files[path] if path in files else by_basename[projector_files.basename(path)]

    return open_file


def _projector_config(embedding: Embedding) -> dict:
    """The projector_config.json that names the files `export_projector_zip` writes for `embedding`."""
    entry = {
        "tensorName": embedding.name,
        "tensorShape": list(embedding.vectors.shape),
        "tensorPath": projector_files.VECTORS_NAME,
    }
    if embedding.metadata:
        entry["metadataPath"] = projector_files.METADATA_NAME
    if embedding.thumbnails is not None:
        height, width = embedding.thumbnails.shape[1:3]
        entry["sprite"] = {"imagePath": projector_files.SPRITE_NAME, "singleImageDim": [width, height]}
    return {"embeddings": [entry]}


def export_projector_zip(embedding: Embedding) -> bytes:
    """A zip of vectors.tsv, metadata.tsv, sprite.png and the projector_config.json naming them.

    The paths in the config are the bare file names, relative to the config; unzip the files into
    one folder to load them into the Projector, or upload the zip to this app's Projector page.
    """
    files = {projector_files.VECTORS_NAME: write_vectors_tsv(embedding.vectors)}
    if embedding.metadata:
        files[projector_files.METADATA_NAME] = write_metadata_tsv(embedding.metadata)
    if embedding.thumbnails is not None:
        files[projector_files.SPRITE_NAME], _ = write_sprite(embedding.thumbnails)
    files[projector_files.CONFIG_NAME] = json.dumps(_projector_config(embedding), indent=2).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
