"""Property-based tests (hypothesis) of what a person can hand the library: image uploads, Projector
files (vectors and metadata TSV, sprites, projector_config.json, zips), prompts, seeds, URL queries
and searches, and proof that nothing uploaded is ever unpickled or run.

Each property: whatever the input, the function returns a result that keeps its invariants, or
raises its documented error with a sentence the page can show; never any other exception. The
pages themselves are driven with hostile input in test_properties_app.py.
"""

from __future__ import annotations

import ast
import inspect
import io
import json
import pickle
import re
import struct
import subprocess
import time
import zlib
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from explorer.checkpoint import SHIPPED_CHECKPOINTS, CheckpointError, load_arrays, read_checkpoint
from explorer.images import MAX_UPLOAD_PIXELS, ImageInputError, fit_to_model, read_upload
from explorer.maths import latent
from explorer.maths.sampling import Vocabulary, clean_prompt
from explorer.projector import files as pf
from explorer.projector import sprites, tables
from explorer.projector import uploads as projector_uploads
from explorer.projector.embedding import Embedding, load_embedding
from explorer.projector.files import ProjectorFileError
from explorer.projector.queries import REGEX_SECONDS, query_mask
from explorer.training.data import load_dataset
from tests.support.data import ROOT
from tests.support.strategies import (
    SAMPLE_FILES,
    assert_sentence,
    configs,
    encoded,
    sprite_images,
    uploaded_images,
    uploads,
    zipped,
)

# Few examples each: the whole file runs in seconds. No example database: the working tree stays clean.
FEW = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MODEL_INPUTS = [((28, 28, 1), "mnist"), ((32, 32, 3), "rgb"), ((8, 8, 1), "mnist")]  # shipped and tiny models


# Images ---------------------------------------------------------------------------------------

LOSSLESS = ("PNG", "BMP", "TIFF")


def check_read_image(image: Image.Image, notes: list[str]) -> None:
    assert image.mode in ("L", "RGB")
    assert image.width >= 1 and image.height >= 1 and image.width * image.height <= MAX_UPLOAD_PIXELS
    for note in notes:
        assert_sentence(note)


def check_fits_every_model(image: Image.Image) -> None:
    """What the VAE page does next: the array the model sees has the model's shape, or a sentence says why not."""
    for shape, preprocess in MODEL_INPUTS:
        try:
            seen, notes = fit_to_model(image, shape, preprocess)
        except ImageInputError as error:
            assert preprocess == "mnist", "only a digit can look blank"
            assert_sentence(error)
            continue
        assert seen.shape == shape and seen.dtype == np.uint8
        for note in notes:
            assert_sentence(note)


@FEW
@given(uploaded_images())
def test_every_image_the_upload_field_offers_reads_at_its_size_and_fits_every_model(upload):
    from explorer.images import MAX_ASPECT_RATIO, WORKING_SIDE

    data, written, fmt = upload
    width, height = written.size
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        with pytest.raises(ImageInputError, match="times as long as it is wide") as refused:
            read_upload(data)
        assert_sentence(refused.value)
        return
    image, notes = read_upload(data)
    check_read_image(image, notes)
    if max(written.size) > WORKING_SIDE:  # reduced before any other work, its shape kept
        assert max(image.size) == WORKING_SIDE
        assert (
            abs(image.width / image.height - width / height)
            <= max(1 / image.height, 1 / image.width) * width / height + 0.01
        )
        return
    assert image.size == written.size
    if fmt in LOSSLESS and written.mode in ("L", "RGB"):
        assert np.array_equal(np.asarray(image), np.asarray(written)), "8-bit pixels come back unchanged"
    check_fits_every_model(image)


@FEW
@given(pixels=arrays(np.float32, st.tuples(st.integers(1, 20), st.integers(1, 20)), elements=st.floats(width=32)))
@example(pixels=np.array([[0.0, np.nan, 2.0]], np.float32))
@example(pixels=np.array([[0.0, np.inf, 2.0]], np.float32))
def test_a_float_image_scales_its_finite_range_to_eight_bits(pixels):
    """A float TIFF (a scientific image, often with NaN for "no data") keeps its picture."""
    image, notes = read_upload(encoded(Image.fromarray(pixels), "TIFF"))
    values = np.asarray(image)
    assert image.mode == "L" and any("8 bits" in note for note in notes)
    finite = np.isfinite(pixels)
    if finite.any() and pixels[finite].max() > pixels[finite].min():
        assert values[finite].min() == 0 and values[finite].max() == 255
        assert values[pixels == pixels[finite].max()].min() == 255, "the brightest finite pixel is white"


@FEW
@given(st.binary(max_size=4096))
@example(b"")
@example(b"\x89PNG\r\n\x1a\n")
@example(b"GIF89a")
def test_arbitrary_bytes_are_an_image_or_a_sentence(data):
    try:
        image, notes = read_upload(data)
    except ImageInputError as error:
        assert_sentence(error)
        return
    check_read_image(image, notes)


def damaged(data: bytes, draw) -> bytes:
    """A real file with a few bytes changed and perhaps cut short: the decoder, not only the header parser, meets it."""
    raw = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw[: draw(st.integers(1, len(raw)))])


@FEW
@given(uploaded_images(), st.data())
@pytest.mark.filterwarnings("ignore:Tag data larger than file")  # Pillow reading a damaged TIFF, as it should
def test_damaged_images_are_an_image_or_a_sentence(upload, data):
    try:
        image, notes = read_upload(damaged(upload[0], data.draw))
    except ImageInputError as error:
        assert_sentence(error)
        return
    check_read_image(image, notes)
    check_fits_every_model(image)


def png_header(width: int, height: int, colour_type: int) -> bytes:
    """A PNG that declares a size in its header and holds no pixels: the cheapest decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def gif_header(width: int, height: int) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0, 0, 0)
    return b"GIF89a" + screen + b",\0\0\0\0" + struct.pack("<HH", width, height) + b"\0\x02\x02D\x01\0;"


@FEW
@given(st.integers(1, 2**31 - 1), st.integers(1, 2**31 - 1), st.sampled_from([0, 2, 4, 6]), st.booleans())
@example(2**31 - 1, 2**31 - 1, 6, False)
@example(5000, 5000, 0, False)
@example(65535, 65535, 0, True)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's warning; ours is the error
def test_huge_declared_sizes_are_refused_from_the_header(width, height, colour_type, gif):
    if gif:
        width, height = min(width, 65535), min(height, 65535)
    data = gif_header(width, height) if gif else png_header(width, height, colour_type)
    started = time.perf_counter()
    if width * height > MAX_UPLOAD_PIXELS:
        with pytest.raises(ImageInputError, match="pixels") as raised:
            read_upload(data)
        assert_sentence(raised.value)
    else:  # a small image with no pixel data: damaged, or read as far as it goes
        try:
            check_read_image(*read_upload(data))
        except ImageInputError as error:
            assert_sentence(error)
    assert time.perf_counter() - started < 5, "refused from the header, not after decoding"


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 8 8\n0 0 moveto 8 8 lineto stroke\nshowpage\n%%EOF\n"


@pytest.mark.parametrize(
    "fmt, mode",
    [
        ("PPM", "L"),
        ("TGA", "RGB"),
        ("SGI", "RGB"),
        ("PCX", "RGB"),
        ("ICO", "RGBA"),
        ("DDS", "RGBA"),
        ("QOI", "RGB"),
        ("SPIDER", "F"),
        ("XBM", "1"),
        ("IM", "L"),
        ("EPS", None),
    ],
)
def test_only_the_formats_the_upload_field_offers_are_decoded(fmt, mode):
    """EPS would be rendered by Ghostscript, a PostScript interpreter: an upload must never reach it."""
    from PIL import EpsImagePlugin

    data = EPS if mode is None else encoded(Image.new(mode, (8, 8)), fmt)
    with (
        mock.patch.object(EpsImagePlugin, "gs_binary", "gs"),  # as if Ghostscript were installed
        mock.patch.object(subprocess, "check_call") as check_call,
        mock.patch.object(subprocess, "Popen") as popen,
        pytest.raises(ImageInputError) as raised,
    ):
        read_upload(data)
    assert not check_call.called and not popen.called, "nothing is run to decode an upload"
    assert_sentence(raised.value)
    assert "PNG" in str(raised.value), "the sentence says which formats work"


# Projector files: vectors TSV ------------------------------------------------------------------

NUMBER_LIKE = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-1e39",
    "3.5e38",
    "0x1F",
    "1_000",
    "١٢",
    "",
    " ",
    "+1",
    "-0",
    ".5",
    "5.",
    "1e5",
    "1,5",
    "abc",
    "\x00",
    "\x0b",
    "\u2028",
    "\u00a0",
    "\ufeff",
    "“1”",
    "٫",
]
tokens = st.one_of(
    st.floats(allow_nan=True).map(repr),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(NUMBER_LIKE),
    st.text(max_size=6),
)


@st.composite
def tsv_texts(draw) -> bytes:
    """Tables that are almost vectors: rows of number-like tokens, odd line endings, a BOM, a label column."""
    columns = draw(st.integers(1, 6))
    rows = draw(
        st.lists(st.lists(tokens, min_size=columns, max_size=columns + draw(st.integers(0, 1))), min_size=1, max_size=8)
    )
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    text = newline.join("\t".join(row) for row in rows) + draw(st.sampled_from(["", "\n", "\n\n  \n"]))
    return (draw(st.sampled_from(["", "\ufeff"])) + text).encode(
        draw(st.sampled_from(["utf-8", "utf-16"])), errors="surrogatepass"
    )


def check_vectors(vectors: np.ndarray, labels: np.ndarray | None, data: bytes) -> None:
    assert vectors.dtype == np.float32 and vectors.ndim == 2
    assert 1 <= len(vectors) <= pf.MAX_POINTS and pf.MIN_DIMENSIONS <= vectors.shape[1] <= pf.MAX_DIMENSIONS
    assert np.isfinite(vectors).all()
    lines = [line for line in data.decode("utf-8-sig").split("\n") if line.rstrip()]
    assert len(vectors) == len(lines), "one point per non-blank line"
    if labels is not None:
        assert labels.shape == (len(vectors),) and labels.dtype.kind == "U"
        assert max(map(len, labels)) <= pf.MAX_VALUE_CHARS


@FEW
@given(st.one_of(tsv_texts(), st.binary(max_size=512), st.text(max_size=200).map(str.encode)))
@example(b"1\t2\r3\t4\n5\t6\r7\t8\n")  # a carriage return inside a line is not a line of its own
@example("\u0085\n\u3000".encode())  # only Unicode spaces: blank, though not to bytes.strip()
@example(b"a\t1e39\t2\n")
def test_a_vectors_tsv_reads_as_finite_vectors_or_a_sentence(data):
    try:
        vectors, labels = tables.read_vectors_tsv(data)
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    check_vectors(vectors, labels, data)


finite_float32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
vector_tables = st.tuples(st.integers(1, 12), st.integers(2, 6)).flatmap(
    lambda shape: arrays(np.float32, shape, elements=finite_float32)
)
# Cells as the writer leaves them: one line, no tab; NUL ends a numpy string and a BOM may start a file.
cells = st.text(st.characters(exclude_characters="\t\n\r\x00\ufeff", exclude_categories=("Cs",)), max_size=12)


def is_number(text: str) -> bool:
    try:
        np.array([text]).astype(np.float64)
    except ValueError:
        return False
    return True


@FEW
@given(vector_tables, st.data())
def test_vectors_and_labels_written_as_tsv_read_back_exactly(vectors, data):
    text = tables.write_vectors_tsv(vectors).decode("utf-8")
    labels = None
    if data.draw(st.booleans(), label="with a label column"):
        labels = data.draw(
            st.lists(
                cells.filter(lambda cell: cell.strip() and not is_number(cell)),
                min_size=len(vectors),
                max_size=len(vectors),
            )
        )
        text = "".join(f"{label}\t{line}\n" for label, line in zip(labels, text.splitlines()))
    read, read_labels = tables.read_vectors_tsv(text.encode("utf-8"))
    assert read.dtype == np.float32 and np.array_equal(read, vectors)
    assert (read_labels is None) if labels is None else read_labels.tolist() == labels


# Projector files: metadata TSV -----------------------------------------------------------------


@FEW
@given(st.one_of(tsv_texts(), st.binary(max_size=512)), st.integers(1, 10))
@example(b"\n\n", 1)
@example(b"a\tb\n1\n", 1)
@example(b"name\tname\t\n1\t2\t3\n", 1)
def test_a_metadata_tsv_reads_as_one_value_per_point_or_a_sentence(data, rows):
    try:
        metadata = tables.read_metadata_tsv(data, rows)
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    assert metadata and len(set(metadata)) == len(metadata)
    for name, values in metadata.items():
        assert name.strip() and values.shape == (rows,) and values.dtype.kind == "O"
        assert all(isinstance(value, str) for value in values)


column_names = (
    st.text(st.characters(exclude_characters="\t\n\r\x00\ufeff", exclude_categories=("Cs",)), min_size=1, max_size=8)
    .map(str.strip)
    .filter(bool)
)


@FEW
@given(
    st.integers(1, 10).flatmap(
        lambda rows: st.dictionaries(
            column_names, st.lists(st.text(max_size=12), min_size=rows, max_size=rows), min_size=1, max_size=4
        )
    )
)
def test_metadata_written_as_tsv_reads_back_with_tabs_and_line_breaks_as_spaces(metadata):
    # A lone column of blank values is a blank file; NUL and a leading BOM are not kept by any text column.
    values = [value for column in metadata.values() for value in column]
    assume(len(metadata) > 1 or any(value.strip() for value in values))
    assume(not any("\x00" in value for value in values) and not next(iter(metadata.values()))[0].startswith("\ufeff"))
    rows = len(next(iter(metadata.values())))
    written = tables.write_metadata_tsv({name: np.array(values, dtype=object) for name, values in metadata.items()})
    read = tables.read_metadata_tsv(written, rows)
    expected = {name: [re.sub("[\t\n\r]", " ", value) for value in column] for name, column in metadata.items()}
    assert list(read) == (list(metadata) if len(metadata) > 1 else ["label"])
    assert [column.tolist() for column in read.values()] == list(expected.values())


# Projector files: sprites ----------------------------------------------------------------------

thumbnail_sets = st.tuples(st.integers(1, 30), st.integers(1, 10), st.integers(1, 10), st.sampled_from([1, 3])).flatmap(
    lambda shape: arrays(np.uint8, shape)
)


@FEW
@given(thumbnail_sets)
def test_a_sprite_written_reads_back_as_the_same_thumbnails(thumbnails):
    sprite, (width, height) = sprites.write_sprite(thumbnails)
    assert np.array_equal(sprites.read_sprite(sprite, (width, height), len(thumbnails)), thumbnails)
    vectors = tables.write_vectors_tsv(np.zeros((len(thumbnails), 2), np.float32))
    try:  # without a size, it is worked out from a square sprite
        embedding = projector_uploads.load_projector_upload({"vectors.tsv": vectors, "sprite.png": sprite})
    except ProjectorFileError as error:
        assert width != height and "thumbnail" in str(error)
        assert_sentence(error)
        return
    assert np.array_equal(embedding.thumbnails, thumbnails)


hostile_sizes = st.one_of(
    st.tuples(st.integers(-5, 40), st.integers(-5, 40)),
    st.tuples(st.floats(), st.floats()),
    st.lists(
        st.one_of(st.integers(-(10**30), 10**30), st.floats(), st.text(max_size=3), st.none(), st.booleans()),
        max_size=3,
    ),
    st.text(max_size=5),
    st.none(),
    st.integers(),
    st.sampled_from([[10**400, 2], [float("inf"), 2], [2, float("nan")], ["28", "28"], [28.0, 28.5], "28x28", {}]),
)


def check_thumbnails(thumbnails: np.ndarray, count: int, size=None) -> None:
    assert thumbnails.dtype == np.uint8 and thumbnails.ndim == 4 and len(thumbnails) == count
    assert thumbnails.shape[-1] in (1, 3)
    if size is not None:
        assert thumbnails.shape[1:3] == (size[1], size[0])


@FEW
@given(st.one_of(sprite_images(), st.binary(max_size=256)), hostile_sizes, st.integers(1, 50))
@example(sprites.write_sprite(np.zeros((4, 2, 2, 1), np.uint8))[0], [10**400, 2], 4)
@example(sprites.write_sprite(np.zeros((4, 2, 2, 1), np.uint8))[0], [float("inf"), 2], 4)
def test_a_sprite_of_any_size_cuts_into_thumbnails_or_a_sentence(sprite, size, count):
    try:
        thumbnails = sprites.read_sprite(sprite, size, count)
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    check_thumbnails(thumbnails, count, [int(s) for s in size])


@FEW
@given(thumbnail_sets, st.sampled_from(["PNG", "JPEG"]), st.data())
def test_a_damaged_sprite_gives_thumbnails_or_a_sentence(thumbnails, fmt, data):
    sprite, size = sprites.write_sprite(thumbnails)
    if fmt == "JPEG":
        sprite = encoded(Image.open(io.BytesIO(sprite)), "JPEG")
    try:
        read = sprites.read_sprite(damaged(sprite, data.draw), size, len(thumbnails))
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    check_thumbnails(read, len(thumbnails), size)


# Projector files: configs, zips, whole uploads -------------------------------------------------


def open_sample(path: str) -> bytes:
    return SAMPLE_FILES[path]


def check_embedding(embedding: Embedding) -> None:
    count = len(embedding.vectors)
    assert embedding.vectors.dtype == np.float32 and count >= 1 and np.isfinite(embedding.vectors).all()
    assert pf.MIN_DIMENSIONS <= embedding.dim <= pf.MAX_DIMENSIONS and isinstance(embedding.name, str)
    for values in embedding.metadata.values():
        # Uploaded text is an object array (each distinct value once); shipped metadata numpy's str.
        assert values.shape == (count,) and values.dtype.kind in "OU"
        assert all(isinstance(value, str) for value in values)
    if embedding.thumbnails is not None:
        check_thumbnails(embedding.thumbnails, count)


@FEW
@given(st.one_of(configs(), st.binary(max_size=200)))
@example(b'{"embeddings": [' + b"1" * 5000 + b"]}")  # more digits than Python turns into an int
@example(b'{"embeddings": [{"tensorPath": "vectors.bytes", "tensorShape": [Infinity, 2]}]}')
@example(
    b'{"embeddings": [{"tensorPath": "vectors.tsv", "sprite": {"imagePath": "sprite.png", '
    b'"singleImageDim": [Infinity, 4]}}]}'
)
@example(
    b'{"embeddings": [{"tensorPath": "vectors.tsv", "sprite": {"imagePath": "sprite.png", '
    b'"singleImageDim": [1' + b"0" * 400 + b", 4]}}]}"
)
@example(b"[" * 100_000 + b"]" * 100_000)
def test_a_projector_config_gives_embeddings_or_a_sentence(data):
    try:
        embeddings = projector_uploads.read_projector_config(data, open_sample)
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    assert embeddings
    for embedding in embeddings:
        check_embedding(embedding)


@FEW
@given(uploads(), st.one_of(st.none(), hostile_sizes), st.one_of(st.none(), st.text(max_size=8)))
@example({"vectors.tsv": SAMPLE_FILES["vectors.tsv"], "sprite.png": SAMPLE_FILES["sprite.png"]}, [10**400, 4], None)
@example({"export.zip": zipped({"projector_config.json": b"[" * 100_000})}, None, None)
@example({"vectors.tsv": b"a\t0.5\t1\nb\t2\t3\nc\t-1\t0\n"}, None, None)  # labels in the first column
def test_any_upload_gives_an_embedding_or_a_sentence(files, size, tensor_name):
    try:
        embedding = projector_uploads.load_projector_upload(files, size, tensor_name)
    except ProjectorFileError as error:
        assert_sentence(error)
        return
    check_embedding(embedding)


@FEW
@given(st.binary(min_size=1, max_size=2048), st.data())
def test_a_damaged_zip_gives_a_sentence(junk, data):
    archive = bytearray(zipped(SAMPLE_FILES))
    for _ in range(data.draw(st.integers(1, 6))):
        archive[data.draw(st.integers(0, len(archive) - 1))] = data.draw(st.integers(0, 255))
    for damaged in (bytes(archive), junk, bytes(archive[: data.draw(st.integers(0, len(archive)))])):
        try:
            embedding = projector_uploads.load_projector_upload({"export.zip": damaged})
        except ProjectorFileError as error:
            assert_sentence(error)
            continue
        check_embedding(embedding)


def test_a_zip_entry_whose_name_was_lost_is_not_a_traceback():
    archive = zipped({"vectors.tsv": SAMPLE_FILES["vectors.tsv"], "Xlost.tsv": b"junk"})
    damaged = archive.replace(b"Xlost.tsv", b"\0lost.tsv")  # zipfile ends a name at its first NUL
    embedding = projector_uploads.load_projector_upload({"export.zip": damaged})
    assert np.array_equal(embedding.vectors, tables.read_vectors_tsv(SAMPLE_FILES["vectors.tsv"])[0])


@st.composite
def embeddings(draw) -> Embedding:
    vectors = draw(vector_tables)
    rows = len(vectors)
    metadata = draw(st.dictionaries(column_names, st.lists(cells, min_size=rows, max_size=rows), max_size=3))
    assume(len(metadata) != 1 or any(value.strip() for value in next(iter(metadata.values()))))
    thumbnails = draw(st.none() | arrays(np.uint8, (rows, 4, 4, draw(st.sampled_from([1, 3])))))
    metadata = {name: np.array(values, dtype=str) for name, values in metadata.items()}
    return Embedding(draw(column_names), vectors, metadata, thumbnails)


@FEW
@given(embeddings())
def test_an_exported_zip_reads_back_as_the_same_embedding(embedding):
    read = projector_uploads.load_projector_upload({"anything.zip": projector_uploads.export_projector_zip(embedding)})
    assert read.name == embedding.name and np.array_equal(read.vectors, embedding.vectors)
    columns = {name: values.tolist() for name, values in embedding.metadata.items()}
    if len(columns) == 1:  # a lone column is written without a header, and reads back as "label"
        columns = {"label": next(iter(columns.values()))}
    assert {name: values.tolist() for name, values in read.metadata.items()} == columns
    if embedding.thumbnails is None:
        assert read.thumbnails is None
    else:
        assert np.array_equal(read.thumbnails, embedding.thumbnails)


# Nothing uploaded is unpickled or run ----------------------------------------------------------

UNPICKLED = []


def record_unpickling(what: str) -> str:
    UNPICKLED.append(what)
    return what


class Payload:
    """What a hostile pickle does: call a function of its choosing while it is loaded."""

    def __reduce__(self):
        return record_unpickling, ("a pickle was loaded",)


def pickles() -> dict[str, bytes]:
    """The ways a pickle travels: bare, in a .npy object array, in an .npz, and in a zip."""
    npy, npz = io.BytesIO(), io.BytesIO()
    np.save(npy, np.array([Payload()], dtype=object), allow_pickle=True)
    np.savez(npz, vectors=np.array([Payload()], dtype=object))
    bare = pickle.dumps(Payload())
    assert pickle.loads(bare) and UNPICKLED.pop(), "the payload runs when it is unpickled"
    return {
        "pickle": bare,
        "npy": npy.getvalue(),
        "npz": npz.getvalue(),
        "zip": zipped({"vectors.pkl": bare, "vectors.npy": npy.getvalue()}),
    }


@pytest.mark.parametrize("kind", ["pickle", "npy", "npz", "zip"])
@pytest.mark.parametrize(
    "name", ["vectors.tsv", "sprite.png", "projector_config.json", "upload.zip", "vectors.npy", "model.pkl"]
)
def test_a_pickle_uploaded_to_the_projector_is_refused_unread(kind, name):
    with pytest.raises(ProjectorFileError) as raised:
        projector_uploads.load_projector_upload({name: pickles()[kind], "metadata.tsv": b"a\n"})
    assert_sentence(raised.value)
    config = json.dumps({"embeddings": [{"tensorPath": "vectors.npy", "tensorShape": [1, 2]}]}).encode()
    with pytest.raises(ProjectorFileError):
        projector_uploads.load_projector_upload({"projector_config.json": config, "vectors.npy": pickles()[kind]})
    assert not UNPICKLED


@pytest.mark.parametrize("kind", ["pickle", "npy", "npz", "zip"])
def test_a_pickle_uploaded_as_an_image_is_refused_unread(kind):
    with pytest.raises(ImageInputError):
        read_upload(pickles()[kind])
    assert not UNPICKLED


def test_npz_files_holding_pickles_are_refused_by_every_loader(tmp_path):
    """The app's own files go through np.load too: a checkpoint or data file someone swapped is not unpickled."""
    good = SHIPPED_CHECKPOINTS / "mnist-vae-2d"
    folder = tmp_path / "swapped"
    folder.mkdir()
    (folder / "manifest.json").write_bytes((good / "manifest.json").read_bytes())
    examples = json.loads((good / "manifest.json").read_text())["files"]["examples"]
    for name in (examples, "embedding.npz", "data.npz"):
        np.savez(folder / name, x=np.array([Payload()], dtype=object), vectors=np.array([Payload()], dtype=object))
    with pytest.raises(CheckpointError):
        load_arrays(read_checkpoint(folder), "examples")
    with pytest.raises(ValueError, match="allow_pickle"):
        load_embedding(folder, "swapped")
    with pytest.raises(ValueError, match="allow_pickle"):  # the training command's data, through the same np.load
        load_dataset(str(folder / "data.npz"))
    assert not UNPICKLED


def np_load_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in sorted((ROOT / "explorer").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("np.load", "numpy.load"):
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def test_np_load_never_allows_pickles_and_nothing_unpickles_or_evaluates():
    assert inspect.signature(np.load).parameters["allow_pickle"].default is False, "numpy's default refuses pickles"
    calls = np_load_calls()
    assert len(calls) >= 4, "the scan finds the loaders"
    for where, call in calls:
        allow = [k.value for k in call.keywords if k.arg == "allow_pickle"]
        assert all(isinstance(v, ast.Constant) and v.value is False for v in allow), f"{where} may unpickle"
        assert not any(k.arg is None for k in call.keywords), f"{where} passes **options that could allow pickles"
    forbidden = re.compile(
        r"^\s*(import|from)\s+(pickle|cPickle|dill|cloudpickle|joblib|marshal|shelve)\b"
        r"|\b(pickle|dill|joblib|marshal|torch)\.loads?\(|(?<![.\w])(eval|exec)\(|yaml\.load\(",
        re.MULTILINE,
    )
    for path in sorted((ROOT / "explorer").rglob("*.py")) + sorted((ROOT / "app_pages").rglob("*.py")):
        found = forbidden.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.relative_to(ROOT)}: {found.group(0)!r}"


# Prompts ---------------------------------------------------------------------------------------

SHIPPED_VOCABULARY = Vocabulary(
    json.loads((SHIPPED_CHECKPOINTS / "shakespeare-charrnn" / "manifest.json").read_text(encoding="utf-8"))[
        "vocabulary"
    ]
)
vocabularies = st.one_of(st.just(SHIPPED_VOCABULARY), st.text(min_size=1, max_size=30).map(Vocabulary.from_text))


@FEW
@given(st.text(max_size=700), vocabularies, st.integers(0, 600))
@example("ROMEO 😀 says ¿hola?\x00\u202e", SHIPPED_VOCABULARY, 500)
@example("", Vocabulary("ab"), 500)
def test_a_prompt_keeps_only_characters_the_model_knows_and_never_comes_out_empty(prompt, vocabulary, limit):
    cleaned = clean_prompt(prompt, vocabulary, limit)
    known = "".join(c for c in prompt if c in vocabulary.index)
    assert cleaned.text and set(cleaned.text) <= set(vocabulary.chars)
    assert cleaned.dropped == "".join(sorted(set(prompt) - set(vocabulary.chars)))
    assert cleaned.cut == max(0, len(known) - limit)
    if known[cleaned.cut :]:
        assert cleaned.text == known[cleaned.cut :] and len(cleaned.text) <= max(limit, 0)
    assert vocabulary.decode(vocabulary.encode(cleaned.text)) == cleaned.text


# Seeds -----------------------------------------------------------------------------------------


@FEW
@given(
    st.one_of(
        st.text(max_size=45),
        st.integers(-(10**12), 10**12).map(str),
        st.from_regex(r"\s*[0-9,_]{1,14}\s*", fullmatch=True),
    )
)
@example("0" * 4301)  # a URL is not bound by the field's 40 characters
@example("4294967296")
@example("٣")  # a digit, but not an ASCII one
def test_a_seed_is_a_whole_number_in_range_or_a_sentence(text):
    try:
        seed = latent.parse_seed(text)
    except latent.SeedError as error:
        assert_sentence(error)
        return
    assert isinstance(seed, int) and 0 <= seed <= latent.MAX_SEED
    assert seed == int(re.sub(r"[\s,_]", "", text).lstrip("0") or "0")


@FEW
@given(st.integers(0, latent.MAX_SEED))
def test_a_seed_written_any_usual_way_reads_back(seed):
    assert latent.parse_seed(str(seed)) == latent.parse_seed(f" {seed:,} ") == latent.parse_seed(f"{seed:_}") == seed


# Search ----------------------------------------------------------------------------------------

regex_like = st.text(st.sampled_from("ab1.*+?|()[]{}^$\\-,:<>=!PpNn&~ "), max_size=20)


@FEW
@given(
    st.lists(st.text(max_size=10), min_size=1, max_size=20), st.one_of(st.text(max_size=20), regex_like), st.booleans()
)
@example(["a" * 30 + "b"], "(a+)+$", True)
@example(["x"], "a{99999999999}", True)
@example(["x"], "(?P<", True)
@example(["x"], "\\N{NO SUCH NAME}", True)
@example(["İ", "ß"], "i̇", False)
def test_a_search_is_a_mask_or_a_sentence_within_its_time_limit(values, query, regex):
    import regex as safe_re

    started = time.monotonic()
    try:
        mask = query_mask(np.array(values), query, regex)
    except ValueError as error:
        assert regex, "plain text always searches"
        assert_sentence(error)
        return
    finally:
        assert time.monotonic() - started < REGEX_SECONDS + 2, "the time limit holds"
    assert mask.dtype == bool and mask.shape == (len(values),)
    values = np.array(values).tolist()  # as the page holds them: numpy drops a string's trailing NULs
    if not regex:
        assert mask.tolist() == [query.casefold() in value.casefold() for value in values]
    else:
        pattern = safe_re.compile(query, safe_re.IGNORECASE)
        assert mask.tolist() == [pattern.search(value) is not None for value in values]


def test_latent_plane_dots_have_a_white_rim_that_shows_on_black_tiles():
    """Navy, purple and maroon dots (4, 8, 9) vanished on the plane's black tiles."""
    import plotly.graph_objects as go

    from explorer.ui.plots import label_scatter

    figure = go.Figure()
    label_scatter(figure, np.zeros((10, 2)), np.arange(10))
    assert all(trace.marker.line.color == "white" and trace.marker.line.width >= 1 for trace in figure.data)
