"""Projector files: round trips through the writers, the Projector's own format by hand, and bad uploads."""

import csv
import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from explorer.projector import files as projector_files
from explorer.projector import uploads
from explorer.projector.embedding import Embedding
from explorer.projector.files import ProjectorFileError
from explorer.projector.sprites import read_sprite, write_sprite
from explorer.projector.tables import (
    projection_csv,
    read_metadata_tsv,
    read_vectors_tsv,
    write_metadata_tsv,
    write_vectors_tsv,
)
from explorer.projector.uploads import export_projector_zip, load_projector_upload, read_projector_config


def random_thumbnails(count=10, height=4, width=5, channels=3, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, height, width, channels), dtype=np.uint8)


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def hand_made_sprite(thumbnails: np.ndarray, per_row: int) -> bytes:
    """A sprite laid out cell by cell, independently of write_sprite."""
    count, height, width, channels = thumbnails.shape
    rows = -(-count // per_row)
    sheet = np.zeros((rows * height, per_row * width, channels), dtype=np.uint8)
    for index, thumbnail in enumerate(thumbnails):
        row, column = divmod(index, per_row)
        sheet[row * height : (row + 1) * height, column * width : (column + 1) * width] = thumbnail
    return png(sheet)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring a size but holding no pixels: it fails to decode, so a refusal by size came first."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"")


def error_from(function, *args, **kwargs) -> str:
    with pytest.raises(ProjectorFileError) as caught:
        function(*args, **kwargs)
    return str(caught.value)


# Round trips through the writers


def test_vectors_round_trip_exactly():
    vectors = np.random.default_rng(1).normal(size=(50, 7)).astype(np.float32) * 1e3
    read, labels = read_vectors_tsv(write_vectors_tsv(vectors))
    assert read.dtype == np.float32
    np.testing.assert_array_equal(read, vectors)
    assert labels is None


def test_single_column_metadata_round_trips_without_a_header():
    names = np.array(["cat", "dog", "", "emu\twith a tab"])
    written = write_metadata_tsv({"label": names})
    assert written.decode().split("\n")[0] == "cat"
    read = read_metadata_tsv(written, rows=4)
    assert list(read) == ["label"]
    np.testing.assert_array_equal(read["label"], ["cat", "dog", "", "emu with a tab"])


def test_three_column_metadata_round_trips_with_a_header():
    metadata = {
        "name": np.array(["a", "b", "c"]),
        "class": np.array(["1", "2", "1"]),
        "note": np.array(["two\nlines", "x", "y"]),
    }
    written = write_metadata_tsv(metadata)
    assert written.decode().split("\n")[0] == "name\tclass\tnote"
    read = read_metadata_tsv(written, rows=3)
    assert list(read) == ["name", "class", "note"]
    np.testing.assert_array_equal(read["name"], metadata["name"])
    np.testing.assert_array_equal(read["class"], metadata["class"])
    np.testing.assert_array_equal(read["note"], ["two lines", "x", "y"])


@pytest.mark.parametrize("channels", [3, 1])
def test_sprite_round_trips_in_a_padded_square_grid(channels):
    thumbnails = random_thumbnails(count=10, height=4, width=5, channels=channels)
    sprite, single_image_dim = write_sprite(thumbnails)
    assert single_image_dim == (5, 4)
    assert Image.open(io.BytesIO(sprite)).size == (4 * 5, 4 * 4)  # ceil(sqrt(10)) = 4 per side
    np.testing.assert_array_equal(read_sprite(sprite, single_image_dim, count=10), thumbnails)


def test_export_zip_holds_every_file_its_config_names_and_reads_back():
    embedding = Embedding(
        name="digits",
        vectors=np.arange(12, dtype=np.float32).reshape(4, 3),
        metadata={"label": np.array(["0", "1", "2", "3"]), "set": np.array(["a", "b", "a", "b"])},
        thumbnails=random_thumbnails(count=4, height=3, width=3),
    )
    exported = export_projector_zip(embedding)
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        names = set(archive.namelist())
        config = json.loads(archive.read("projector_config.json"))
    [entry] = config["embeddings"]
    assert entry["tensorShape"] == [4, 3]
    assert {entry["tensorPath"], entry["metadataPath"], entry["sprite"]["imagePath"]} <= names
    assert entry["sprite"]["singleImageDim"] == [3, 3]

    imported = load_projector_upload({"digits.zip": exported})
    assert imported.name == "digits"
    np.testing.assert_array_equal(imported.vectors, embedding.vectors)
    np.testing.assert_array_equal(imported.metadata["set"], embedding.metadata["set"])
    np.testing.assert_array_equal(imported.thumbnails, embedding.thumbnails)


def test_export_without_metadata_or_thumbnails_names_only_the_vectors():
    exported = export_projector_zip(Embedding(name="bare", vectors=np.ones((3, 2), dtype=np.float32)))
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert sorted(archive.namelist()) == ["projector_config.json", "vectors.tsv"]
        [entry] = json.loads(archive.read("projector_config.json"))["embeddings"]
    assert "metadataPath" not in entry and "sprite" not in entry


def test_projection_csv_escapes_commas_and_quotes():
    coordinates = np.array([[0.5, -1.0, 2.0], [1.0, 2.0, 3.0]])
    tricky = 'say "hi", then go'
    written = projection_csv(coordinates, {"name": np.array([tricky, "plain"])}).decode()
    assert '"say ""hi"", then go"' in written
    rows = list(csv.reader(io.StringIO(written)))
    assert rows[0] == ["x", "y", "z", "name"]
    assert rows[1] == ["0.5", "-1", "2", tricky]
    assert len(rows) == 3


# The Projector's own format, written by hand

VECTORS_TSV = "0.1\t0.2\t0.3\n-1.5\t2e-3\t4\n7\t8\t9\n"
LABELLED_VECTORS_TSV = "cat\t1\t2\ndog\t3\t4\n"
SINGLE_COLUMN_METADATA = "cat\ndog\nemu\n"
MULTI_COLUMN_METADATA = "Name\tClass\ncat\tmammal\ndog\tmammal\nemu\tbird\n"
CONFIG_JSON = """{
  "embeddings": [
    {
      "tensorName": "animals",
      "tensorShape": [3, 3],
      "tensorPath": "oss_data/vectors.tsv",
      "metadataPath": "oss_data/metadata.tsv",
      "sprite": {"imagePath": "oss_data/sprite.png", "singleImageDim": [2, 2]}
    },
    {"tensorName": "plain", "tensorShape": [2, 2], "tensorPath": "oss_data/plain.tsv"}
  ]
}"""


def test_hand_written_vectors_tsv():
    vectors, labels = read_vectors_tsv(VECTORS_TSV.encode())
    np.testing.assert_allclose(vectors, [[0.1, 0.2, 0.3], [-1.5, 0.002, 4], [7, 8, 9]], rtol=1e-7)
    assert labels is None


def test_a_first_column_of_words_becomes_labels():
    vectors, labels = read_vectors_tsv(LABELLED_VECTORS_TSV.encode())
    np.testing.assert_array_equal(vectors, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(labels, ["cat", "dog"])


def test_windows_line_endings_and_blank_lines_are_tolerated():
    vectors, _ = read_vectors_tsv(b"\xef\xbb\xbf1\t2\r\n\r\n3\t4\r\n\r\n")
    np.testing.assert_array_equal(vectors, [[1, 2], [3, 4]])


def test_single_column_metadata_has_no_header():
    metadata = read_metadata_tsv(SINGLE_COLUMN_METADATA.encode(), rows=3)
    np.testing.assert_array_equal(metadata["label"], ["cat", "dog", "emu"])


def test_multi_column_metadata_has_a_header():
    metadata = read_metadata_tsv(MULTI_COLUMN_METADATA.encode(), rows=3)
    assert list(metadata) == ["Name", "Class"]
    np.testing.assert_array_equal(metadata["Class"], ["mammal", "mammal", "bird"])


def test_projector_config_reads_every_embedding_and_its_files():
    thumbnails = random_thumbnails(count=3, height=2, width=2)
    files = {
        "oss_data/vectors.tsv": VECTORS_TSV.encode(),
        "oss_data/metadata.tsv": MULTI_COLUMN_METADATA.encode(),
        "oss_data/sprite.png": hand_made_sprite(thumbnails, per_row=2),
        "oss_data/plain.tsv": b"1\t2\n3\t4\n",
    }
    animals, plain = read_projector_config(CONFIG_JSON.encode(), files.__getitem__)
    assert animals.name == "animals" and animals.vectors.shape == (3, 3)
    np.testing.assert_array_equal(animals.metadata["Name"], ["cat", "dog", "emu"])
    np.testing.assert_array_equal(animals.thumbnails, thumbnails)
    assert plain.name == "plain" and plain.metadata == {} and plain.thumbnails is None


def test_a_config_upload_finds_its_files_by_name_and_picks_an_embedding():
    files = {
        "projector_config.json": CONFIG_JSON.encode(),
        "vectors.tsv": VECTORS_TSV.encode(),
        "metadata.tsv": SINGLE_COLUMN_METADATA.encode(),
        "plain.tsv": b"1\t2\n3\t4\n",
        "sprite.png": hand_made_sprite(random_thumbnails(count=3, height=2, width=2), per_row=2),
    }
    plain = load_projector_upload(files, tensor_name="plain")
    np.testing.assert_array_equal(plain.vectors, [[1, 2], [3, 4]])
    assert "“animals”" in error_from(load_projector_upload, files, tensor_name="nope")


def test_raw_float32_tensor_named_by_a_config():
    vectors = np.arange(6, dtype="<f4").reshape(3, 2)
    config = b'{"embeddings": [{"tensorPath": "v.bytes", "tensorShape": [3, 2]}]}'
    [embedding] = read_projector_config(config, {"v.bytes": vectors.tobytes()}.__getitem__)
    np.testing.assert_array_equal(embedding.vectors, vectors)


def test_upload_of_loose_files_infers_the_thumbnail_size_of_a_square_sprite():
    thumbnails = random_thumbnails(count=3, height=4, width=4)
    files = {
        "my vectors.tsv": LABELLED_VECTORS_TSV.replace("dog\t3\t4\n", "dog\t3\t4\nemu\t5\t6\n").encode(),
        "metadata.tsv": MULTI_COLUMN_METADATA.encode(),
        "sprite.png": write_sprite(thumbnails)[0],
    }
    embedding = load_projector_upload(files)
    assert embedding.name == "my vectors"
    assert list(embedding.metadata) == ["label", "Name", "Class"]
    np.testing.assert_array_equal(embedding.thumbnails, thumbnails)


# Bad input: each a sentence naming the line or the problem


def test_ragged_rows_name_the_line():
    message = error_from(read_vectors_tsv, b"1\t2\t3\n4\t5\t6\n7\t8\n")
    assert message == "vectors.tsv, line 3: 2 values where the lines above have 3."


def test_a_value_that_is_not_a_number_names_line_and_column():
    message = error_from(read_vectors_tsv, b"1\t2\n3\t4\n\n5\tabc\n")
    assert message.startswith("vectors.tsv, line 4, column 2: “abc” is not a number")


def test_a_bad_number_after_a_label_column_is_still_an_error():
    message = error_from(read_vectors_tsv, b"cat\t1\t2\ndog\t3\tx\n")
    assert "line 2, column 3" in message and "“x”" in message


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e39"])
def test_nan_and_infinity_name_the_line(value):
    message = error_from(read_vectors_tsv, f"1\t2\n3\t4\n5\t{value}\n".encode())
    assert "line 3, column 2" in message and "not a finite number" in message


@pytest.mark.parametrize("data", [b"", b"\n \n"])
def test_an_empty_file_says_so(data):
    assert "vectors.tsv is empty" in error_from(read_vectors_tsv, data)


@pytest.mark.parametrize("data", [b"1\n2\n3\n", b"cat\ndog\n"])
def test_fewer_than_two_dimensions_says_a_projection_needs_two(data):
    assert "at least 2 dimensions" in error_from(read_vectors_tsv, data)


def test_metadata_row_count_mismatch_states_both_counts():
    message = error_from(read_metadata_tsv, b"cat\ndog\n", rows=3)
    assert "has 2 rows" in message and "3 vectors" in message
    message = error_from(read_metadata_tsv, b"a\tb\n1\t2\n", rows=2)
    assert "1 rows below its header" in message


def test_ragged_metadata_names_the_line():
    message = error_from(read_metadata_tsv, b"a\tb\n1\t2\n3\n", rows=2)
    assert message == "metadata.tsv, line 3: 1 values where the header names 2 columns."


def test_a_sprite_of_the_wrong_size_states_expected_and_actual_pixels():
    sprite = png(np.zeros((30, 30, 3), dtype=np.uint8))
    message = error_from(read_sprite, sprite, (10, 10), count=16)
    assert "30×30 pixels" in message and "need 40×40 pixels" in message


def test_a_file_that_is_not_utf8_names_the_line():
    message = error_from(read_vectors_tsv, b"1\t2\n\xff\xfe\t3\n")
    assert message.startswith("vectors.tsv, line 2: the file is not UTF-8 text")


def test_a_file_that_is_not_an_image_says_so():
    message = error_from(read_sprite, b"1\t2\n3\t4\n", (2, 2), count=2)
    assert "sprite.png is not a PNG or JPEG image" in message


def test_uploads_over_the_byte_limit_are_refused(monkeypatch):
    monkeypatch.setattr(projector_files, "MAX_UPLOAD_BYTES", 2**20)
    message = error_from(read_vectors_tsv, b"1\t2\n" * (2**18 + 1))
    assert "files up to 1 MB are accepted" in message


def test_too_many_points_or_dimensions_are_refused(monkeypatch):
    monkeypatch.setattr(projector_files, "MAX_POINTS", 2)
    assert "3 points; at most 2" in error_from(read_vectors_tsv, b"1\t2\n3\t4\n5\t6\n")
    monkeypatch.setattr(projector_files, "MAX_DIMENSIONS", 3)
    assert "4 numbers per line; at most 3" in error_from(read_vectors_tsv, b"1\t2\t3\t4\n")


def test_sprite_pixels_are_capped_before_decoding():
    # 9000 x 9000 is over the 8192 x 8192 cap yet under Pillow's own bomb check; there are no pixels to decode.
    message = error_from(read_sprite, png_header_only(9000, 9000), (9, 9), count=10)
    assert "9000×9000 pixels" in message and "accepted" in message


def test_malformed_json_names_the_line():
    config = b'{"embeddings": [\n  {"tensorPath": "v.tsv",\n  }\n]}'
    message = error_from(read_projector_config, config, {}.__getitem__)
    assert message.startswith("projector_config.json, line 3: this is not valid JSON")


@pytest.mark.parametrize("config", [b'{"embeddings": []}', b"{}", b"[1, 2]"])
def test_a_config_without_embeddings_says_so(config):
    assert "lists no embeddings" in error_from(read_projector_config, config, {}.__getitem__)


def test_a_file_the_config_names_but_was_not_uploaded_is_named():
    files = {"oss_data/vectors.tsv": VECTORS_TSV.encode()}
    message = error_from(read_projector_config, CONFIG_JSON.encode(), files.__getitem__)
    assert "“oss_data/metadata.tsv”, which was not uploaded" in message


def test_a_sprite_whose_thumbnail_size_cannot_be_inferred_asks_for_it():
    files = {"vectors.tsv": b"1\t2\n3\t4\n", "sprite.png": png(np.zeros((8, 6, 3), dtype=np.uint8))}
    assert "enter the thumbnail width and height" in error_from(load_projector_upload, files)
    embedding = load_projector_upload(files, single_image_dim=(3, 4))
    assert embedding.thumbnails.shape == (2, 4, 3, 3)


def test_an_upload_of_the_wrong_kind_of_file_says_what_to_upload():
    assert "Upload a vectors .tsv" in error_from(load_projector_upload, {"points.csv": b"1,2\n"})
    assert "No files were uploaded" in error_from(load_projector_upload, {})


def test_a_damaged_zip_says_so():
    assert "not a zip archive" in error_from(load_projector_upload, {"export.zip": b"PK\x03\x04 broken"})


@pytest.mark.parametrize("single_image_dim", [None, "12", [2], [2, 0], [2.5, 2]])
def test_a_thumbnail_size_that_is_not_two_positive_whole_numbers_is_refused(single_image_dim):
    sprite = png(np.zeros((4, 4, 3), dtype=np.uint8))
    assert "two positive whole numbers" in error_from(read_sprite, sprite, single_image_dim, count=4)


def test_a_long_label_is_refused_before_the_column_is_made_an_array():
    """One 6,000-character label among 20,000 rows: the numeric test built a fixed-width array of the
    column first (every row as wide as the longest, 480 MB here; 4.8 GB at 200,000 rows)."""
    import tracemalloc

    rows = [f"p{i}\t{i % 7}\t{i % 5}" for i in range(20_000)]
    rows[123] = "x" * 6_000 + "\t1\t2"
    tracemalloc.start()
    try:
        with pytest.raises(ProjectorFileError, match="6,000 characters long"):
            read_vectors_tsv("\n".join(rows).encode())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB at the peak"


def peak_megabytes(function, *args) -> tuple[object, float]:
    import tracemalloc

    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_labels_are_stored_as_strings_not_at_the_longest_ones_width():
    """200,000 rows with one 1,000-character label (a 1.4 MB file): as numpy's fixed-width str the
    column took 800 MB, and as much again in every copy a rerun made."""
    rows = [f"p{i % 50}" for i in range(200_000)]
    rows[7] = "y" * 1_000
    metadata, peak = peak_megabytes(read_metadata_tsv, "\n".join(rows).encode(), 200_000)
    labels = metadata["label"]
    assert labels.dtype == object and labels[7] == "y" * 1_000 and labels[0] == "p0"
    assert labels[0] is labels[50], "a repeated value is stored once"
    assert peak < 120, f"{peak:.0f} MB at the peak"
    shown, copy_peak = peak_megabytes(lambda: labels[np.arange(0, 200_000, 2)])
    assert copy_peak < 5, f"a subset of rows cost {copy_peak:.0f} MB"


@pytest.mark.parametrize(
    ("columns", "cell", "sentence"),
    [(12, "a", "holds 2,400,000 values; up to 2,000,000"), (2, "v" * 60, "characters of text; up to 20,000,000")],
)
def test_metadata_too_large_to_keep_as_text_gets_a_sentence(columns, cell, sentence):
    header = "\t".join(f"c{i}" for i in range(columns))
    body = "\n".join("\t".join([cell] * columns) for _ in range(200_000))
    assert sentence in error_from(read_metadata_tsv, f"{header}\n{body}".encode(), 200_000)


def test_a_config_reads_only_the_embedding_chosen():
    """Twenty entries naming one large file parsed it twenty times (1.2 GB at the peak, 5.8 s)."""
    entries = [{"tensorName": f"e{i}", "tensorPath": "big.tsv"} for i in range(19)]
    entries.append({"tensorName": "small", "tensorPath": "small.tsv"})
    config = json.dumps({"embeddings": entries}).encode()
    opened = []
    files = {"big.tsv": b"1\t2\n" * 1000, "small.tsv": b"1\t2\n3\t4\n"}

    def open_file(path):
        opened.append(path)
        return files[path]

    embedding = uploads.read_config_embedding(config, open_file, tensor_name="small")
    assert embedding.name == "small" and opened == ["small.tsv"]
    upload = {"projector_config.json": config, **files}
    assert uploads.upload_embedding_names(upload) == [*(f"e{i}" for i in range(19)), "small"]


def test_a_config_listing_too_many_embeddings_gets_a_sentence():
    config = json.dumps({"embeddings": [{"tensorPath": "v.tsv"}] * 51}).encode()
    assert "lists 51 embeddings; up to 50" in error_from(uploads.config_embedding_names, config)
