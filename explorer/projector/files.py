"""TensorFlow Embedding Projector files in and out: the Projector page's import and export.

The format is the one projector.tensorflow.org and TensorBoard's projector load:

- vectors.tsv: one point per line, tab-separated numbers, no header. We also accept a first
  column that is not all numbers: it becomes a metadata column "label".
- metadata.tsv: one line per point. With one column there is no header and every line is a
  value; with several, the first line names the columns.
- sprite.png: every thumbnail in one PNG or JPEG, row-major in a square grid of ceil(sqrt(N)) per
  side, each `singleImageDim` = [width, height] pixels; the last row may be partly empty. Like
  the Projector, a reader takes the thumbnails per row from the sprite's width, so a sprite cut
  short below its last used row also reads. Greyscale sprites stay one channel (N, h, w, 1), as
  the app's own digit thumbnails are, so they read back as written; every other mode becomes RGB.
- projector_config.json: {"embeddings": [{"tensorName", "tensorShape", "tensorPath",
  "metadataPath", "sprite": {"imagePath", "singleImageDim"}}]}, where everything but tensorPath
  is optional. A tensorPath that is not a .tsv is read as raw little-endian float32 numbers of
  shape tensorShape, as the Projector's own demo data are.

Readers take bytes, as a Streamlit upload gives them, and writers return bytes. Uploads are
untrusted: sizes are capped before anything is parsed or decoded, nothing is unpickled or run,
and every failure is a ProjectorFileError whose message names the file, the line where there is
one, and the problem, so the page can show it to the person who uploaded the file.
No TensorFlow, no Streamlit.
"""

from __future__ import annotations

import csv
import io
import json
import math
import posixpath
import zipfile
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image, UnidentifiedImageError

from explorer.images import png_bytes, to_8bit
from explorer.projector.embedding import Embedding

MAX_UPLOAD_BYTES = 50 * 2**20  # per file, and per zip once unpacked: .streamlit/config.toml maxUploadSize
MAX_POINTS = 200_000  # rows of vectors; more than the page can project and draw
MAX_DIMENSIONS = 4_096  # numbers per row
MIN_DIMENSIONS = 2  # a projection onto a 2-d map needs at least 2
MAX_SPRITE_PIXELS = 8192 * 8192  # sprite width x height, checked before decoding; the largest texture most GPUs take
MAX_SPRITE_DECODED = 64 * 2**20  # ...and its decoded bytes (4,096² in colour with alpha): a small server's share
MAX_THUMBNAIL_SIDE = 64  # thumbnails are kept at most this large (the page shows them smaller)
MAX_THUMBNAIL_BYTES = 32 * 2**20  # all thumbnails together; beyond it they are kept smaller still
MAX_ZIP_ENTRIES = 100  # a Projector zip holds a handful of files
ZIP_CHUNK = 2**20  # zip members are unpacked this much at a time, against a running total
MAX_VALUE_CHARS = 1_000  # per metadata value: longer is not a label but a document
MAX_TEXT_CELLS = 2_000_000  # metadata values per file (200,000 rows x 10 columns): each is a Python string
MAX_TEXT_CHARS = 20_000_000  # characters of metadata per file, and of labels in a vectors file
MAX_CONFIG_ENTRIES = 50  # embeddings a projector_config.json may list; only the chosen one is read

VECTORS_NAME = "vectors.tsv"  # the names the export writes and its config refers to
METADATA_NAME = "metadata.tsv"
SPRITE_NAME = "sprite.png"
CONFIG_NAME = "projector_config.json"

TABLE_SUFFIXES = (".tsv", ".txt")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
UPLOAD_HINT = (
    "Upload a vectors .tsv (with an optional metadata .tsv and sprite image), "
    "or a projector_config.json with the files it names, or a zip of them."
)


class ProjectorFileError(ValueError):
    """A Projector file the app cannot read or write; the message names the file, line and problem."""


# Reading text tables


def read_vectors_tsv(data: bytes, filename: str = VECTORS_NAME) -> tuple[np.ndarray, np.ndarray | None]:
    """Vectors (N, D) float32 from a vectors TSV, and the labels (N,) str if its first column has words.

    The first column is taken as labels when any of its values is not a number; then a bad value
    in any later column is an error rather than a second label column.
    """
    lines, line_numbers = _numbered_lines(_decode_text(data, filename))
    if len(lines) > MAX_POINTS:
        raise ProjectorFileError(
            f"{filename} has {len(lines):,} points; at most {MAX_POINTS:,} are accepted, so keep a sample of the rows."
        )
    field_count = _check_rectangular(lines, line_numbers, filename)
    first_column = [line.split("\t", 1)[0] for line in lines]
    has_labels = not _all_numbers(first_column)
    _check_dimensions(field_count - has_labels, filename)
    vectors = _parse_numbers(lines, line_numbers, int(has_labels), field_count, filename)
    labels = _text_column(first_column, line_numbers, 1, filename) if has_labels else None
    return vectors, labels


def read_metadata_tsv(data: bytes, rows: int, filename: str = METADATA_NAME) -> dict[str, np.ndarray]:
    """Metadata columns for `rows` points: {"label": values} for one column, else named by the header."""
    lines = [line.rstrip("\r") for line in _decode_text(data, filename).split("\n")]
    column_count = lines[0].count("\t") + 1
    has_header = column_count > 1
    if lines[-1] == "":
        lines.pop()  # the piece after the final newline is not a row
    while len(lines) > rows + has_header and not lines[-1].strip():
        lines.pop()  # blank lines at the end, as editors leave them, when there are more than enough
    value_lines = lines[1:] if has_header else lines
    _check_text_size(len(value_lines) * column_count, sum(map(len, value_lines)), filename)
    if len(value_lines) != rows:
        below = " below its header" if has_header else ""
        raise ProjectorFileError(
            f"{filename} has {len(value_lines):,} rows{below} but there are {rows:,} vectors; "
            "the metadata needs exactly one row per vector, in the same order."
        )
    first_value_line = 2 if has_header else 1
    line_numbers = list(range(first_value_line, first_value_line + rows))
    if not has_header:
        return {"label": _text_column(value_lines, line_numbers, 1, filename)}
    for line, number in zip(value_lines, line_numbers):
        value_count = line.count("\t") + 1
        if value_count != column_count:
            raise ProjectorFileError(
                f"{filename}, line {number}: {value_count} values where the header names {column_count} columns."
            )
    columns = zip(*(line.split("\t") for line in value_lines))
    return {
        name: _text_column(list(values), line_numbers, column_number, filename)
        for column_number, (name, values) in enumerate(zip(_column_names(lines[0]), columns), 1)
    }


def _decode_text(data: bytes, filename: str) -> str:
    """Uploaded bytes as text, refusing a file that is too large, empty or not UTF-8."""
    _check_upload_size(data, filename)
    try:
        text = data.decode("utf-8-sig")  # the byte-order mark Windows editors write is not data
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ProjectorFileError(
            f"{filename}, line {line}: the file is not UTF-8 text; save it as UTF-8 text and upload it again."
        ) from None
    if not text.strip():  # Unicode spaces too, such as U+0085 and U+3000
        raise ProjectorFileError(f"{filename} is empty; check that the right file was uploaded.")
    return text


def _check_upload_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProjectorFileError(
            f"{filename} is {len(data) / 2**20:,.1f} MB; files up to "
            f"{MAX_UPLOAD_BYTES // 2**20} MB are accepted, so upload a smaller sample."
        )


def _numbered_lines(text: str) -> tuple[list[str], list[int]]:
    """The non-blank lines without line endings or trailing spaces, and their 1-based line numbers."""
    stripped = [line.rstrip() for line in text.split("\n")]
    numbers = [number for number, line in enumerate(stripped, 1) if line]
    return [stripped[number - 1] for number in numbers], numbers


def _check_rectangular(lines: list[str], line_numbers: list[int], filename: str) -> int:
    """The number of tab-separated values per line, the same on every line, or an error naming the odd line."""
    tab_counts = np.fromiter((line.count("\t") for line in lines), dtype=np.int64, count=len(lines))
    odd = np.flatnonzero(tab_counts != tab_counts[0])
    if len(odd):
        index = odd[0]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[index]}: {tab_counts[index] + 1} values where "
            f"the lines above have {tab_counts[0] + 1}."
        )
    return int(tab_counts[0]) + 1


def _check_dimensions(dimensions: int, filename: str) -> None:
    if dimensions < MIN_DIMENSIONS:
        raise ProjectorFileError(
            f"{filename} has {dimensions} number{'s' if dimensions != 1 else ''} per line, "
            f"but a projection needs at least {MIN_DIMENSIONS} dimensions; each line needs "
            f"{MIN_DIMENSIONS} or more numbers separated by tabs."
        )
    if dimensions > MAX_DIMENSIONS:
        raise ProjectorFileError(
            f"{filename} has {dimensions:,} numbers per line; at most {MAX_DIMENSIONS:,} dimensions are accepted."
        )


def _all_numbers(values: list[str]) -> bool:
    """Whether every value reads as a number. One at a time: an array of the text first is as wide as
    its longest value in every row (one 6,000-character label in 200,000 rows: 4.8 GB, MemoryError)."""
    for value in values:
        try:
            float(value)
        except ValueError:
            return False
    return True


def _parse_numbers(
    lines: list[str], line_numbers: list[int], first_column: int, field_count: int, filename: str
) -> np.ndarray:
    """The numeric columns as float32: numpy's parser in bulk, a line-by-line scan only to name a bad value."""
    try:
        numbers = np.loadtxt(
            lines, delimiter="\t", dtype=np.float64, comments=None, ndmin=2, usecols=range(first_column, field_count)
        )
    except ValueError:
        numbers = _parse_numbers_line_by_line(lines, line_numbers, first_column, filename)
    with np.errstate(over="ignore"):  # beyond float32's range becomes infinity, refused just below
        vectors = numbers.astype(np.float32)
    not_finite = np.argwhere(~np.isfinite(vectors))  # NaN, infinity, and beyond float32's ±3.4e38
    if len(not_finite):
        row, column = not_finite[0]
        column_number = first_column + column + 1
        value = lines[row].split("\t")[column_number - 1]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[row]}, column {column_number}: “{_shorten(value)}” "
            "is not a finite number; NaN, infinity and values beyond ±3.4e38 cannot be "
            "placed on a map, so fix or remove the line."
        )
    return vectors


def _parse_numbers_line_by_line(
    lines: list[str], line_numbers: list[int], first_column: int, filename: str
) -> np.ndarray:
    rows = []
    for line, number in zip(lines, line_numbers):
        row = []
        for column_number, field in enumerate(line.split("\t")[first_column:], first_column + 1):
            try:
                row.append(float(field))
            except ValueError:
                raise ProjectorFileError(
                    f"{filename}, line {number}, column {column_number}: “{_shorten(field)}” "
                    "is not a number; fix the value or remove the line."
                ) from None
        rows.append(row)
    return np.array(rows, dtype=np.float64)


def _check_text_size(cells: int, characters: int, filename: str) -> None:
    """Refuse text that would cost more than a small server's share once each value is a string."""
    if cells > MAX_TEXT_CELLS:
        raise ProjectorFileError(
            f"{filename} holds {cells:,} values; up to {MAX_TEXT_CELLS:,} are accepted, "
            "so keep fewer columns or a sample of the rows."
        )
    if characters > MAX_TEXT_CHARS:
        raise ProjectorFileError(
            f"{filename} holds {characters:,} characters of text; up to {MAX_TEXT_CHARS:,} are accepted, "
            "so keep shorter values, fewer columns or a sample of the rows."
        )


def _text_column(values: list[str], line_numbers: list[int], column_number: int, filename: str) -> np.ndarray:
    """The values as an object array of strings, each distinct value stored once.

    Not numpy's fixed-width str: that stores every value at the longest one's width (one
    1,000-character label among 200,000 rows: 800 MB, and again in every copy)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    too_long = np.flatnonzero(lengths > MAX_VALUE_CHARS)
    if len(too_long):
        index = too_long[0]
        raise ProjectorFileError(
            f"{filename}, line {line_numbers[index]}, column {column_number}: the value is "
            f"{lengths[index]:,} characters long; values up to {MAX_VALUE_CHARS:,} are accepted."
        )
    _check_text_size(len(values), int(lengths.sum()), filename)
    distinct: dict[str, str] = {}
    column = np.empty(len(values), dtype=object)
    column[:] = [distinct.setdefault(value, value) for value in values]
    return column


def _column_names(header: str) -> list[str]:
    """Header names, with blank ones numbered and repeated ones told apart, so no column is lost."""
    names = []
    for number, field in enumerate(header.split("\t"), 1):
        name = field.strip() or f"column {number}"
        names.append(f"{name} (column {number})" if name in names else name)
    return names


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Reading the sprite


def read_sprite(data: bytes, single_image_dim: tuple[int, int], count: int, filename: str = SPRITE_NAME) -> np.ndarray:
    """`count` thumbnails (count, h, w, C) uint8 cut row-major from a sprite of [w, h] cells; C is 3, or 1 if grey."""
    width, height = _check_single_image_dim(single_image_dim, filename)
    image = _open_image(data, filename)
    per_row = image.width // width
    rows_used = -(-count // per_row) if per_row else math.inf
    if image.width % width or image.height < rows_used * height:
        side = _grid_side(count)
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels, but {count:,} thumbnails of "
            f"{width}×{height} in a square grid {side} wide need {side * width}×{side * height} "
            "pixels; check the thumbnail size (singleImageDim)."
        )
    scale = min(
        1.0, MAX_THUMBNAIL_SIDE / max(width, height), math.sqrt(MAX_THUMBNAIL_BYTES / (count * 3 * width * height))
    )
    if scale < 1:  # shrink the used part of the sprite as a whole: the grid stays aligned, and no full-size copy
        used = (0, 0, per_row * width, rows_used * height)
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
        try:
            image = image.resize((per_row * width, rows_used * height), Image.Resampling.BOX, box=used)
        except (OSError, ValueError, SyntaxError):
            raise ProjectorFileError(
                f"{filename} is truncated or damaged and cannot be decoded; export it again."
            ) from None
    pixels = _decode_pixels(image, filename)[: rows_used * height, : per_row * width]
    channels = pixels.shape[-1]
    cells = pixels.reshape(rows_used, height, per_row, width, channels).transpose(0, 2, 1, 3, 4)
    return np.ascontiguousarray(cells.reshape(-1, height, width, channels)[:count])


def _check_single_image_dim(single_image_dim, filename: str) -> tuple[int, int]:
    """[width, height] as two positive ints, however the config or the page spelled them."""
    try:
        width, height = (int(size) for size in single_image_dim)
        whole = all(float(size) == int(size) for size in single_image_dim)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity, or an int beyond any float
        width = height = whole = 0
    if isinstance(single_image_dim, str) or not whole or width < 1 or height < 1:  # "12" is not [1, 2]
        raise ProjectorFileError(
            f"The thumbnail size for {filename} must be two positive whole numbers "
            f"[width, height] in pixels, not {single_image_dim!r}."
        )
    return width, height


def _open_image(data: bytes, filename: str) -> Image.Image:
    """The image with only its header read, so a size too large is refused before decoding."""
    _check_upload_size(data, filename)
    if not data:
        raise ProjectorFileError(f"{filename} is empty; the sprite should be one image holding every thumbnail.")
    try:
        image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))
    except UnidentifiedImageError:
        raise ProjectorFileError(
            f"{filename} is not a PNG or JPEG image; the sprite should be one image holding every thumbnail."
        ) from None
    except Image.DecompressionBombError:
        raise ProjectorFileError(
            f"{filename} declares far too many pixels; sprites up to "
            f"{MAX_SPRITE_PIXELS / 1e6:.0f} million pixels are accepted."
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise ProjectorFileError(f"{filename} is damaged and cannot be read as an image; export it again.") from None
    if image.width * image.height > MAX_SPRITE_PIXELS:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels; sprites up to "
            f"{MAX_SPRITE_PIXELS / 1e6:.0f} million pixels (8192×8192) are accepted, "
            "so use fewer or smaller thumbnails."
        )
    decoded = image.width * image.height * len(image.getbands())
    if decoded > MAX_SPRITE_DECODED:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels in {image.mode}, {decoded / 2**20:,.0f} MB "
            f"once decoded; this server decodes sprites up to {MAX_SPRITE_DECODED // 2**20} MB "
            "(4,096×4,096 with transparency, 8,192×8,192 in grey), so use fewer or smaller thumbnails."
        )
    return image


def _decode_pixels(image: Image.Image, filename: str) -> np.ndarray:
    """(H, W, C) uint8 with C = 1 for greyscale, 3 otherwise; transparency is placed on white."""
    try:
        image.load()
    except (OSError, ValueError, SyntaxError):
        raise ProjectorFileError(
            f"{filename} is truncated or damaged and cannot be decoded; export it again."
        ) from None
    pixels = np.asarray(to_8bit(image, notes=[]), dtype=np.uint8)  # the app's one place for odd image modes
    return pixels[..., None] if pixels.ndim == 2 else pixels


def _grid_side(count: int) -> int:
    """ceil(sqrt(count)) without floating point: the Projector's sprite grid width."""
    return math.isqrt(count - 1) + 1 if count > 0 else 0


# Reading a config and a whole upload


def read_projector_config(
    data: bytes, open_file: Callable[[str], bytes], filename: str = CONFIG_NAME
) -> list[Embedding]:
    """Every embedding a projector_config.json describes; `open_file(path)` returns the bytes of a file it names.

    `open_file` raises KeyError or OSError for a file it does not have.
    """
    entries = _config_entries(data, filename)
    return [_embedding_from_config(entry, number, open_file, filename) for number, entry in enumerate(entries, 1)]


def config_embedding_names(data: bytes, filename: str = CONFIG_NAME) -> list[str]:
    """The names of the embeddings a projector_config.json lists, in order, without reading their files."""
    return [_entry_name(entry, number) for number, entry in enumerate(_config_entries(data, filename), 1)]


def read_config_embedding(
    data: bytes, open_file: Callable[[str], bytes], filename: str = CONFIG_NAME, tensor_name: str | None = None
) -> Embedding:
    """The one embedding named `tensor_name` (the first if None): only its files are read."""
    entries = _config_entries(data, filename)
    names = [_entry_name(entry, number) for number, entry in enumerate(entries, 1)]
    number = 1 if tensor_name is None else (names.index(tensor_name) + 1 if tensor_name in names else 0)
    if not number:
        listed = _names([f"“{name}”" for name in names])
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
    if len(entries) > MAX_CONFIG_ENTRIES:
        raise ProjectorFileError(
            f"{filename} lists {len(entries):,} embeddings; up to {MAX_CONFIG_ENTRIES} are accepted, "
            "so keep the ones to explore."
        )
    return entries


def _entry_name(entry, number: int) -> str:
    name = entry.get("tensorName") if isinstance(entry, dict) else None
    return _shorten(str(name), 80) if name else f"Embedding {number}"


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
        raise ProjectorFileError(f"No files were uploaded. {UPLOAD_HINT}")
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
        name=_stem(vectors_name),
        vectors=vectors,
        metadata=_with_labels(metadata, labels),
        thumbnails=thumbnails,
        description=f"Imported from {_basename(vectors_name)}.",
    )


def upload_embedding_names(files: dict[str, bytes]) -> list[str]:
    """The embeddings an upload's projector_config.json lists (a page's choice), or [] without one."""
    files = _unpack_zips(files)
    config_name = _pick_config(files) if files else None
    return config_embedding_names(files[config_name], config_name) if config_name else []


def _parse_json(data: bytes, filename: str):
    text = _decode_text(data, filename)
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
    if tensor_path.lower().endswith(TABLE_SUFFIXES):
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
        description=f"Imported from {_basename(tensor_path)}.",
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
    _check_upload_size(data, filename)
    if points > MAX_POINTS:
        raise ProjectorFileError(f"{filename} has {points:,} points; at most {MAX_POINTS:,} are accepted.")
    _check_dimensions(dimensions, filename)
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
    _check_upload_size(data, filename)
    declared = _declared_entries(data)
    if declared > MAX_ZIP_ENTRIES:  # before zipfile reads a record per entry (60,000 of them: 32 MB)
        raise ProjectorFileError(
            f"{filename} holds {declared:,} entries; a Projector zip holds a few "
            f"files, and up to {MAX_ZIP_ENTRIES} are read."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ProjectorFileError(
                    f"{filename} holds {len(entries):,} entries; a Projector zip holds a few "
                    f"files, and up to {MAX_ZIP_ENTRIES} are read."
                )
            members = [
                info
                for info in entries  # not nameless (damaged) entries, nor macOS Finder's extras
                if info.filename and not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            unpacked, budget = {}, MAX_UPLOAD_BYTES
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
        f"{filename} unpacks to more than {MAX_UPLOAD_BYTES // 2**20} MB; up to "
        f"{MAX_UPLOAD_BYTES // 2**20} MB is accepted."
    )
    if info.file_size > budget:
        raise too_big
    chunks, total = [], 0
    with archive.open(info) as member:
        while chunk := member.read(ZIP_CHUNK):
            total += len(chunk)
            if total > budget:
                raise too_big
            chunks.append(chunk)
    return b"".join(chunks)


def _names(names: list[str], shown: int = 5) -> str:
    """ "a, b, c" or "a, b, c, d, e and 59,995 more": a sentence stays short whatever was uploaded."""
    listed = ", ".join(names[:shown])
    return listed if len(names) <= shown else f"{listed} and {len(names) - shown:,} more"


def _pick_config(files: dict[str, bytes]) -> str | None:
    configs = [name for name in files if name.lower().endswith(".json")]
    if len(configs) <= 1:
        return configs[0] if configs else None
    named = [name for name in configs if _basename(name) == CONFIG_NAME]
    if len(named) == 1:
        return named[0]
    raise ProjectorFileError(
        f"Several .json files were uploaded ({_names(configs)}); upload only the Projector's {CONFIG_NAME}."
    )


def _sort_uploads(files: dict[str, bytes]) -> tuple[str, str | None, str | None]:
    """(vectors, metadata or None, sprite or None) among uploads that hold no config."""
    tables = [name for name in files if name.lower().endswith(TABLE_SUFFIXES)]
    images = [name for name in files if name.lower().endswith(IMAGE_SUFFIXES)]
    others = [name for name in files if not name.lower().endswith((*TABLE_SUFFIXES, *IMAGE_SUFFIXES))]
    if others:
        raise ProjectorFileError(f"{others[0]} is not a file the Projector reads. {UPLOAD_HINT}")
    is_metadata = [
        len(tables) > 1 and any(word in _basename(name).lower() for word in ("meta", "label")) for name in tables
    ]
    vector_tables = [name for name, meta in zip(tables, is_metadata) if not meta]
    metadata_tables = [name for name, meta in zip(tables, is_metadata) if meta]
    if not vector_tables:
        raise ProjectorFileError(f"No vectors file was uploaded. {UPLOAD_HINT}")
    if len(vector_tables) > 1:
        raise ProjectorFileError(
            f"It is not clear which of {_names(vector_tables)} holds the vectors; upload one "
            "vectors file, and give the metadata file a name containing “metadata”."
        )
    if len(metadata_tables) > 1:
        raise ProjectorFileError(
            f"Several metadata files were uploaded ({_names(metadata_tables)}); upload one, with a column per field."
        )
    if len(images) > 1:
        raise ProjectorFileError(
            f"Several images were uploaded ({_names(images)}); the sprite is one image holding every thumbnail."
        )
    return vector_tables[0], (metadata_tables[0] if metadata_tables else None), (images[0] if images else None)


def _infer_single_image_dim(data: bytes, count: int, filename: str) -> tuple[int, int]:
    """The thumbnail size of a square sprite that a ceil(sqrt(count)) grid divides exactly."""
    image = _open_image(data, filename)
    side = _grid_side(count)
    if image.width != image.height or image.width % side:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels, so the size of one thumbnail "
            "cannot be worked out from it; enter the thumbnail width and height in pixels."
        )
    return image.width // side, image.height // side


def _file_opener(files: dict[str, bytes]) -> Callable[[str], bytes]:
    """Look a config's path up among the uploads: exactly, else by file name, as uploads lose their folders."""
    by_basename = {_basename(name): data for name, data in files.items()}

    def open_file(path: str) -> bytes:
        return files[path] if path in files else by_basename[_basename(path)]

    return open_file


def _basename(path: str) -> str:
    return posixpath.basename(path.replace("\\", "/"))


def _stem(path: str) -> str:
    return posixpath.splitext(_basename(path))[0]


# Writing


def write_vectors_tsv(vectors: np.ndarray) -> bytes:
    """A vectors TSV: one point per line, no header."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"Vectors must be a table of N rows and D columns, not shape {vectors.shape}.")
    buffer = io.BytesIO()
    np.savetxt(buffer, vectors, fmt="%.9g", delimiter="\t")  # 9 significant digits bring every float32 back exactly
    return buffer.getvalue()


def write_metadata_tsv(metadata: dict[str, np.ndarray]) -> bytes:
    """A metadata TSV: a header line only when there are several columns, as the Projector expects."""
    if not metadata:
        return b""
    columns = [[_clean_cell(value) for value in values] for values in metadata.values()]
    lines = ["\t".join(row) for row in zip(*columns)]
    if len(columns) > 1:
        lines.insert(0, "\t".join(_clean_cell(name) for name in metadata))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _clean_cell(value) -> str:
    """A value on one line of one column: a tab or newline inside it would shift or split the rows."""
    return str(value).translate({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})


def write_sprite(thumbnails: np.ndarray) -> tuple[bytes, tuple[int, int]]:
    """A sprite PNG of (N, h, w, C) uint8 thumbnails in the Projector's square grid, and its [w, h]."""
    thumbnails = np.asarray(thumbnails)
    if thumbnails.ndim != 4 or thumbnails.dtype != np.uint8 or len(thumbnails) == 0:
        raise ValueError(
            f"Thumbnails must be a non-empty (N, h, w, C) uint8 array, not {thumbnails.dtype} "
            f"of shape {thumbnails.shape}."
        )
    count, height, width, channels = thumbnails.shape
    side = _grid_side(count)
    if side * width * side * height > MAX_SPRITE_PIXELS:
        raise ProjectorFileError(
            f"{count:,} thumbnails of {width}×{height} make a sprite of {side * width}×"
            f"{side * height} pixels, more than the Projector can load; export fewer points."
        )
    cells = np.zeros((side * side, height, width, channels), dtype=np.uint8)  # the last row is padded with black
    cells[:count] = thumbnails
    sheet = cells.reshape(side, side, height, width, channels).transpose(0, 2, 1, 3, 4)
    return png_bytes(sheet.reshape(side * height, side * width, channels)), (width, height)


def _projector_config(embedding: Embedding) -> dict:
    """The projector_config.json that names the files `export_projector_zip` writes for `embedding`."""
    entry = {"tensorName": embedding.name, "tensorShape": list(embedding.vectors.shape), "tensorPath": VECTORS_NAME}
    if embedding.metadata:
        entry["metadataPath"] = METADATA_NAME
    if embedding.thumbnails is not None:
        height, width = embedding.thumbnails.shape[1:3]
        entry["sprite"] = {"imagePath": SPRITE_NAME, "singleImageDim": [width, height]}
    return {"embeddings": [entry]}


def export_projector_zip(embedding: Embedding) -> bytes:
    """A zip of vectors.tsv, metadata.tsv, sprite.png and the projector_config.json naming them.

    The paths in the config are the bare file names, relative to the config; unzip the files into
    one folder to load them into the Projector, or upload the zip to this app's Projector page.
    """
    files = {VECTORS_NAME: write_vectors_tsv(embedding.vectors)}
    if embedding.metadata:
        files[METADATA_NAME] = write_metadata_tsv(embedding.metadata)
    if embedding.thumbnails is not None:
        files[SPRITE_NAME], _ = write_sprite(embedding.thumbnails)
    files[CONFIG_NAME] = json.dumps(_projector_config(embedding), indent=2).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def projection_csv(coordinates: np.ndarray, metadata: dict[str, np.ndarray]) -> bytes:
    """A CSV of a 2-d or 3-d projection: columns x, y[, z], then the metadata columns, one row per point."""
    coordinates = np.asarray(coordinates, dtype=np.float64)
    if coordinates.ndim != 2 or coordinates.shape[1] not in (2, 3):
        raise ValueError(f"Coordinates must be (N, 2) or (N, 3), not shape {coordinates.shape}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # quotes any value holding a comma, quote or newline
    writer.writerow(["x", "y", "z"][: coordinates.shape[1]] + list(metadata))
    columns = list(metadata.values())
    for index, point in enumerate(coordinates.tolist()):
        writer.writerow([format(value, ".9g") for value in point] + [column[index] for column in columns])
    return buffer.getvalue().encode("utf-8")
