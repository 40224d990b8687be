"""TensorFlow Embedding Projector files: their formats, the bounds an upload must keep, and what all readers share.

The readers and writers: `tables` (the TSVs and the map's CSV), `sprites` (the thumbnail sheet),
`uploads` (a projector_config.json, a zip, a set of uploaded files, and the export zip).

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

import math
import posixpath

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


def decode_text(data: bytes, filename: str) -> str:
    """Uploaded bytes as text, refusing a file that is too large, empty or not UTF-8."""
    check_upload_size(data, filename)
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


def check_upload_size(data: bytes, filename: str) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProjectorFileError(
            f"{filename} is {len(data) / 2**20:,.1f} MB; files up to "
            f"{MAX_UPLOAD_BYTES // 2**20} MB are accepted, so upload a smaller sample."
        )


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def listed(names: list[str], shown: int = 5) -> str:
    """ "a, b, c" or "a, b, c, d, e and 59,995 more": a sentence stays short whatever was uploaded."""
    listed = ", ".join(names[:shown])
    return listed if len(names) <= shown else f"{listed} and {len(names) - shown:,} more"


def basename(path: str) -> str:
    return posixpath.basename(path.replace("\\", "/"))


def stem(path: str) -> str:
    return posixpath.splitext(basename(path))[0]


def grid_side(count: int) -> int:
    """ceil(sqrt(count)) without floating point: the Projector's sprite grid width."""
    return math.isqrt(count - 1) + 1 if count > 0 else 0
