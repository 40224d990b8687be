"""Hypothesis strategies and checks shared by the property tests (test_properties, test_properties_app):
uploads of every image kind, Projector files and zips, and what a readable sentence is."""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from explorer.projector import sprites
from explorer.projector.projection import (
    MAX_COMPONENT,
    MAX_QUERY_LENGTH,
    MAX_SEED,
    METHODS,
    METRICS,
    PCA_MAX_POINTS,
    ProjectionParams,
)


def assert_sentence(error: Exception) -> None:
    """An error a person can read: several words ending like a sentence, not a bare Python message."""
    message = str(error)
    assert len(message.split()) >= 3 and message.endswith((".", "?", "!")), f"not a sentence: {message!r}"


SAVABLE = {  # format -> modes it writes; every format the upload field offers
    "PNG": ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"],
    "GIF": ["L", "P"],
    "BMP": ["1", "L", "P", "RGB"],
    "WEBP": ["RGB", "RGBA"],
    "JPEG": ["L", "RGB", "CMYK"],
    "TIFF": ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F", "YCbCr", "LAB"],
}


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


# One side up to 3,000 pixels with the other 1 to 3: strips as extreme as an upload can be.
image_sizes = st.one_of(
    st.tuples(st.integers(1, 48), st.integers(1, 48)),
    st.tuples(st.integers(1, 3), st.integers(100, 3000)),
    st.tuples(st.integers(100, 3000), st.integers(1, 3)),
)


@st.composite
def uploaded_images(draw) -> tuple[bytes, Image.Image, str]:
    """(file bytes, the image written, its format) for any mode a format can hold."""
    fmt = draw(st.sampled_from(sorted(SAVABLE)))
    mode = draw(st.sampled_from(SAVABLE[fmt]))
    width, height = draw(image_sizes)
    if mode == "F":
        image = Image.fromarray(draw(arrays(np.float32, (height, width), elements=st.floats(width=32))))  # NaN, ±inf
    elif mode in ("I;16", "I"):
        dtype = np.uint16 if mode == "I;16" else np.int32
        image = Image.fromarray(draw(arrays(dtype, (height, width))))
    else:
        bands = len(Image.new(mode, (1, 1)).getbands())
        pixels = draw(arrays(np.uint8, (height, width, bands)))
        image = (
            Image.frombytes(mode, (width, height), pixels.tobytes())
            if mode != "1"
            else Image.fromarray(pixels[..., 0] > 127)
        )
        if mode == "P" and draw(st.booleans()):
            image.info["transparency"] = draw(st.integers(0, 255))
    return encoded(image, fmt), image, fmt


def sprite_images() -> st.SearchStrategy[bytes]:
    return (
        st.tuples(
            st.integers(1, 64),
            st.integers(1, 64),
            st.sampled_from(["L", "RGB", "RGBA", "P", "I;16", "1"]),
            st.sampled_from(["PNG", "JPEG"]),
        )
        .filter(lambda s: s[3] == "PNG" or s[2] in ("L", "RGB"))
        .map(lambda s: encoded(Image.new(s[2], (s[0], s[1])), s[3]))
    )


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)


CONFIG_KEYS = ["tensorName", "tensorShape", "tensorPath", "metadataPath", "sprite", "imagePath", "singleImageDim"]


SAMPLE_FILES = {  # what a config may name, and find among the uploads
    "vectors.tsv": b"0.5\t1\n2\t3\n-1\t0\n",
    "labelled.tsv": b"a\t0.5\t1\nb\t2\t3\nc\t-1\t0\n",
    "vectors.bytes": np.arange(6, dtype="<f4").tobytes(),
    "metadata.tsv": b"x\ny\nz\n",
    "sprite.png": sprites.write_sprite(np.zeros((3, 4, 4, 1), np.uint8))[0],
}


@st.composite
def configs(draw) -> bytes:
    """projector_config.json: arbitrary JSON, or an embeddings list whose fields may name the sample files."""
    field_values = st.one_of(
        json_values,
        st.sampled_from(list(SAMPLE_FILES)),
        st.just([3, 2]),
        st.just([4, 4]),
        st.just([math.inf, 2]),
        st.just({"imagePath": "sprite.png", "singleImageDim": [4, 4]}),
    )
    entry = st.dictionaries(st.sampled_from(CONFIG_KEYS), field_values, max_size=6)
    document = draw(st.one_of(json_values, st.builds(lambda es: {"embeddings": es}, st.lists(entry, max_size=3))))
    return json.dumps(document).encode("utf-8")  # NaN and Infinity included, as json.dumps writes them


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


UPLOAD_NAMES = [
    "vectors.tsv",
    "metadata.tsv",
    "labels.txt",
    "data.TSV",
    "sprite.png",
    "photo.JPG",
    "projector_config.json",
    "other.json",
    "export.zip",
    "weights.npy",
    "model.pkl",
    "noextension",
    "__MACOSX/._vectors.tsv",
    "../../etc/passwd",
    "sub/dir/vectors.tsv",
    "C:\\x\\metadata.tsv",
]


@st.composite
def uploads(draw) -> dict[str, bytes]:
    """A set of uploaded files: the sample files, configs, junk and zips of them, under any name."""
    contents = st.one_of(st.sampled_from(list(SAMPLE_FILES.values())), configs(), st.binary(max_size=64))
    names = st.one_of(st.sampled_from(UPLOAD_NAMES), st.text(max_size=12))
    files = draw(st.dictionaries(names, contents, max_size=4))
    if draw(st.booleans()):
        inner = draw(
            st.dictionaries(
                st.one_of(
                    st.sampled_from(UPLOAD_NAMES + list(SAMPLE_FILES)),
                    st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=8),
                ),
                contents,
                max_size=4,
            )
        )
        files[draw(st.sampled_from(["export.zip", "EXPORT.ZIP", "nested.zip"]))] = zipped(inner)
    return files


def check_params(params: ProjectionParams) -> None:
    assert params.method in METHODS and params.dims in (2, 3) and params.metric in METRICS
    assert len(params.components) == 3 and all(
        isinstance(c, int) and 0 <= c <= MAX_COMPONENT for c in params.components
    )
    assert isinstance(params.n_neighbors, int) and 2 <= params.n_neighbors <= 200
    assert 0.0 <= params.min_dist <= 1.0 and 2.0 <= params.perplexity <= 100.0
    assert params.learning_rate == "auto" or 10.0 <= params.learning_rate <= 5000.0
    assert isinstance(params.seed, int) and 0 <= params.seed <= MAX_SEED
    assert params.max_points is None or (
        isinstance(params.max_points, int) and 10 <= params.max_points <= PCA_MAX_POINTS
    )
    assert all(
        isinstance(q, str) and len(q) <= MAX_QUERY_LENGTH for q in (params.left, params.right, params.up, params.down)
    )
    assert isinstance(params.regex, bool)
