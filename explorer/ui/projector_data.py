"""The Projector page's data sets: the shipped embeddings, and Projector files a visitor uploads.

An upload is parsed once (its embedding kept in the page's memory until the next one), refused with
a sentence when it is too large or malformed, and let go from Streamlit's upload store at once then.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from explorer.checkpoint import list_checkpoints
from explorer.projector.embedding import PROJECTIONS_FILE, Embedding, load_embedding
from explorer.projector.files import ProjectorFileError
from explorer.projector.uploads import load_projector_upload, upload_embedding_names
from explorer.ui.common import literal, say_if_unknown
from explorer.ui.projector import page_state
from explorer.ui.streamlit_internals import forget_uploads

UPLOAD = "Upload Projector files"
# What projector.tensorflow.org reads: vectors and metadata as .tsv (or .txt), vectors also as the
# binary float32 `.bytes` its own exports and demo data use, a config .json, a sprite image, or a zip.
PROJECTOR_FILE_TYPES = ["tsv", "txt", "bytes", "json", "png", "jpg", "jpeg", "zip"]
MAX_SESSION_UPLOAD_BYTES = 100 * 2**20  # a session's Projector files together (each: server.maxUploadSize, 50 MB)


def shipped_embeddings() -> dict:
    """Checkpoints that ship an embedding, by name."""
    checkpoints, _ = list_checkpoints()
    return {c.name: c for c in checkpoints if "embedding" in c.files}


@st.cache_resource(max_entries=8, show_spinner="Loading the embedding…")
def load_shipped(folder: str, name: str, description: str) -> tuple[Embedding, dict]:
    """A shipped embedding and its default projections (coordinates by parameter key)."""
    from pathlib import Path

    embedding = load_embedding(folder, name, description)
    if not (Path(folder) / PROJECTIONS_FILE).is_file():  # a checkpoint from before they were shipped
        return embedding, {}
    with np.load(Path(folder) / PROJECTIONS_FILE, allow_pickle=False) as arrays:
        projections = {key: arrays[key] for key in arrays.files}
    return embedding, projections


def data_picker() -> tuple[str, Embedding | None, dict, str]:
    """(data id, the chosen embedding or None, its shipped projections, the kind of model it came from)."""
    shipped = shipped_embeddings()
    asked = st.query_params.get("data")
    choice = st.sidebar.selectbox("Data set", [*shipped, UPLOAD], key="data", bind="query-params")
    say_if_unknown(asked, [*shipped, UPLOAD], choice, "a data set")
    if choice != UPLOAD:
        checkpoint = shipped[choice]
        description = checkpoint.section("embedding").get("description", checkpoint.title)
        embedding, projections = load_shipped(str(checkpoint.folder), choice, description)
        st.sidebar.caption(description)
        return choice, embedding, projections, checkpoint.kind
    return (*upload_section(), "upload")


def upload_section() -> tuple[str, Embedding | None, dict]:
    st.sidebar.caption(
        "Files as projector.tensorflow.org takes them: a vectors .tsv, an optional metadata "
        ".tsv and sprite image, or a projector_config.json with the files it names, or a zip. "
        "Uploads stay in this browser session; they are not in the link."
    )
    files = st.sidebar.file_uploader(
        "Projector files", type=PROJECTOR_FILE_TYPES, accept_multiple_files=True, key="projector_files"
    )
    size = st.sidebar.text_input(
        "Sprite: one image's width × height (if not square)", "", key="sprite_size", placeholder="e.g. 28x28"
    )
    if not files:
        st.info("Upload Projector files in the sidebar, or pick a shipped data set.", icon=":material/upload:")
        return UPLOAD, None, {}
    total = sum(f.size for f in files)
    if total > MAX_SESSION_UPLOAD_BYTES:
        let_go(files)
        st.error(
            f"Together the files are {total / 2**20:,.0f} MB; up to {MAX_SESSION_UPLOAD_BYTES // 2**20} MB "
            "at once are accepted, so they were let go. Upload fewer or smaller files.",
            icon=":material/error:",
        )
        return UPLOAD, None, {}
    names, problem = embedding_names(files)
    chosen = None
    if len(names) > 1:
        chosen = st.sidebar.selectbox("Embedding", names, key="upload_embedding", help="The config lists several.")
    data_id, embedding, problem = (UPLOAD, None, problem) if problem else parsed_upload(files, size, chosen)
    if problem:
        st.error(literal(problem), icon=":material/error:")
    return data_id, embedding, {}


def embedding_names(files: list) -> tuple[list[str], str | None]:
    """The embeddings an uploaded projector_config.json lists ([] without one), and a problem or None;
    read once per upload, like the embedding."""
    key = tuple(f.file_id for f in files)
    kept = page_state().upload_names
    if kept is not None and kept[0] == key:
        return kept[1]
    try:
        result = upload_embedding_names({f.name: f.getvalue() for f in files}), None
    except ProjectorFileError as error:
        result = [], str(error)
    page_state().upload_names = (key, result)
    return result


def parsed_upload(files: list, size: str, tensor_name: str | None = None) -> tuple[str, Embedding | None, str | None]:
    """(data id, embedding or None, a problem or None), parsed once per upload: every other rerun
    (a slider, a hover, a colour) reuses it. With a 45 MB file each rerun cost 3–4 s and 300 MB."""
    key = (tuple(f.file_id for f in files), size, tensor_name)
    kept = page_state().parsed_upload
    if kept is not None and kept[0] == key:
        return kept[1]
    page_state().parsed_upload = None  # the last upload's embedding goes before the next one is read
    contents = {f.name: f.getvalue() for f in files}
    digest = hashlib.sha1(b"".join(hashlib.sha1(v).digest() for v in contents.values()) + str(tensor_name).encode())
    try:
        result = (
            f"upload-{digest.hexdigest()[:16]}",
            load_projector_upload(contents, _parse_size(size), tensor_name),
            None,
        )
    except (ProjectorFileError, ValueError) as error:
        result = UPLOAD, None, str(error)
    except MemoryError:
        result = UPLOAD, None, "These files need more memory than this server can give one visitor; upload a sample."
    page_state().parsed_upload = (key, result)
    return result


def let_go(files: list) -> None:
    """Drop refused uploads from the server's memory now, not when the session ends."""
    forget_uploads(files)


def _parse_size(text: str) -> tuple[int, int] | None:
    parts = text.lower().replace("×", "x").replace(" ", "").split("x")
    if len(parts) != 2 or not all(p.isdigit() and 0 < int(p) <= 1024 for p in parts):
        if text.strip():
            raise ValueError(f"“{text[:20]}” is not a size: write width x height in pixels, e.g. 28x28.")
        return None
    return int(parts[0]), int(parts[1])
