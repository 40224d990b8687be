"""The Projector page's parts: data set, projection controls, the plot, search and the inspector.

Every control is bound to the URL, so a link reopens the same data set, projection, colouring
and selected point. Projections are cached per (data set, parameters): PCA is instant; UMAP and
t-SNE run when the person presses Run (or when a link asks for them), with a progress bar.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from explorer.checkpoint import list_checkpoints
from explorer.images import png_data_uri
from explorer.lru import LRU
from explorer.projector import projection as proj
from explorer.projector.embedding import PROJECTIONS_FILE, Embedding, load_embedding
from explorer.projector.files import ProjectorFileError
from explorer.projector.tables import projection_csv
from explorer.projector.uploads import export_projector_zip, load_projector_upload, upload_embedding_names
from explorer.projector.worker import ProjectionWorker
from explorer.ui.common import literal, page_memory, say_if_unknown, short_name, whole_number
from explorer.ui.presenter import image_pixels

UPLOAD = "Upload Projector files"
# What projector.tensorflow.org reads: vectors and metadata as .tsv (or .txt), vectors also as the
# binary float32 `.bytes` its own exports and demo data use, a config .json, a sprite image, or a zip.
PROJECTOR_FILE_TYPES = ["tsv", "txt", "bytes", "json", "png", "jpg", "jpeg", "zip"]
METHOD_LABELS = {"PCA": "pca", "UMAP": "umap", "t-SNE": "tsne", "Custom": "custom"}
MAX_NEIGHBOURS = 100
MAX_SESSION_UPLOAD_BYTES = 100 * 2**20  # a session's Projector files together (each: server.maxUploadSize, 50 MB)
THUMBNAIL_PIXELS = 80


@dataclass(frozen=True)
class Applied:
    """The projection the plot shows: of which data set, with which parameters, coloured how."""

    data_id: str
    params: proj.ProjectionParams
    column: str | None


@dataclass
class ProjectorMemory:
    """What the Projector page keeps between runs besides its widgets' values."""

    applied: Applied | None = None  # the projection on screen (a slow one waits for Run)
    requested: Applied | None = None  # the one Run asked for: computed after the page shows the last one
    selection: list = field(default_factory=list)  # rows picked with the box or lasso
    selection_of: str | None = None  # the data set those rows belong to
    isolated: np.ndarray | None = None  # rows the view is limited to; None: all
    parsed_upload: tuple | None = None  # (the uploaded files' ids, size and embedding, what parsing them gave)
    upload_names: tuple | None = None  # (the uploaded files' ids, the embeddings their config lists)
    points: int = 0  # how many points the data set on screen has: a selection names rows below it


def memory() -> ProjectorMemory:
    return page_memory(ProjectorMemory)


def applied_projection(data_id: str, embedding, params, column, shipped) -> Applied:
    """The projection to show: the one asked for if it is instant, cached or the first of a data set
    (so a link opens its view at once); else the last one, with a Run button for the new one."""
    kept = memory()
    asked = Applied(data_id, params, column)
    finished = kept.requested
    if (
        finished is not None
        and finished.data_id == data_id
        and is_ready(data_id, embedding, finished.params, finished.column, shipped)
    ):
        kept.applied = finished  # Run's projection, computed in the last run (or by another session)
    if kept.requested is not None and (kept.requested.data_id != data_id or kept.requested == kept.applied):
        kept.requested = None
    if kept.applied is None or kept.applied.data_id != data_id or is_ready(data_id, embedding, params, column, shipped):
        kept.applied = asked
    elif kept.applied != asked and kept.requested != asked:

        def run() -> None:
            kept.requested = asked

        st.sidebar.button("Run", type="primary", icon=":material/play_arrow:", key="run", width="stretch", on_click=run)
        st.sidebar.caption("The plot shows the last projection until you press Run.")
    return kept.applied


def requested_projection() -> Applied | None:
    """The projection Run asked for, still to compute (after the page has drawn the last one)."""
    return memory().requested


def compute_requested(embedding: Embedding, shipped: dict, place) -> None:
    """Compute Run's projection with its progress in `place`, then show it (the page runs again)."""
    requested = memory().requested
    try:
        compute(requested.data_id, embedding, requested.params, requested.column, shipped, place)
    finally:
        memory().requested = None  # done, or refused with a sentence: never asked again by itself
    memory().applied = requested
    st.rerun()


WAITING_STYLE = "<style>.st-key-plot_waiting { opacity: 0.4; pointer-events: none; }</style>"


def caption(applied: Applied, asked: proj.ProjectionParams, result: proj.Projection, computing: Applied | None) -> str:
    """What the plot shows, in words: its projection's settings and where it came from, and whether the
    sidebar asks for another one (waiting for Run, or being computed)."""
    words = [proj.describe(applied.params), result.note]
    if result.seconds:
        words.append(f"computed in {result.seconds:.1f} s")
    if computing is not None:
        words.append(f"the last projection, greyed until {proj.describe(computing.params)} is ready")
    elif applied.params != asked:
        words.append("not the sidebar's settings: press Run for them")
    return " · ".join(word for word in words if word)


# Data sets ------------------------------------------------------------------------------------


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
    kept = memory().upload_names
    if kept is not None and kept[0] == key:
        return kept[1]
    try:
        result = upload_embedding_names({f.name: f.getvalue() for f in files}), None
    except ProjectorFileError as error:
        result = [], str(error)
    memory().upload_names = (key, result)
    return result


def parsed_upload(files: list, size: str, tensor_name: str | None = None) -> tuple[str, Embedding | None, str | None]:
    """(data id, embedding or None, a problem or None), parsed once per upload: every other rerun
    (a slider, a hover, a colour) reuses it. With a 45 MB file each rerun cost 3–4 s and 300 MB."""
    key = (tuple(f.file_id for f in files), size, tensor_name)
    kept = memory().parsed_upload
    if kept is not None and kept[0] == key:
        return kept[1]
    memory().parsed_upload = None  # the last upload's embedding goes before the next one is read
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
    memory().parsed_upload = (key, result)
    return result


def let_go(files: list) -> None:
    """Drop refused uploads from the server's memory now, not when the session ends."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    remove = getattr(getattr(context, "uploaded_file_mgr", None), "remove_file", None)  # the in-memory store has it
    if remove is not None:
        for file in files:
            remove(context.session_id, file.file_id)


def _parse_size(text: str) -> tuple[int, int] | None:
    parts = text.lower().replace("×", "x").replace(" ", "").split("x")
    if len(parts) != 2 or not all(p.isdigit() and 0 < int(p) <= 1024 for p in parts):
        if text.strip():
            raise ValueError(f"“{text[:20]}” is not a size: write width x height in pixels, e.g. 28x28.")
        return None
    return int(parts[0]), int(parts[1])


# Projection controls --------------------------------------------------------------------------


def projection_controls(embedding: Embedding) -> tuple[proj.ProjectionParams, str | None]:
    """The method and its parameters from the sidebar, and the metadata column custom axes search."""
    side = st.sidebar
    label = side.segmented_control(
        "Projection", list(METHOD_LABELS), default="PCA", key="method", bind="query-params", required=True
    )
    method = METHOD_LABELS.get(label or "PCA", "pca")
    dims = 3 if side.toggle("3-D", key="three_d", bind="query-params") else 2
    options = dict(method=method, dims=dims)
    column = None
    if method == "pca":
        count = min(embedding.dim, 10)
        picks = [
            side.selectbox(
                f"{axis} axis: component",
                list(range(1, count + 1)),
                index=min(i, count - 1),
                key=f"pc_{axis}",
                bind="query-params",
            )
            for i, axis in enumerate("xyz"[:dims])
        ]
        options["components"] = tuple(int(p) - 1 for p in picks) + (2,) * (3 - dims)
    elif method == "umap":
        options.update(
            n_neighbors=side.slider(
                "UMAP neighbours",
                2,
                200,
                15,
                key="n_neighbors",
                bind="query-params",
                help="Small: local detail; large: the global shape.",
            ),
            min_dist=side.slider(
                "Minimum distance",
                0.0,
                1.0,
                0.1,
                0.05,
                key="min_dist",
                bind="query-params",
                help="How tightly points may pack.",
            ),
            metric=side.radio("Metric", proj.METRICS, key="metric", bind="query-params", horizontal=True),
            seed=whole_number(side, "Seed", 0, 10_000, 0, key="projection_seed"),
        )
    elif method == "tsne":
        rate = whole_number(side, "Learning rate (0 = auto)", 0, 5000, 0, 10, key="learning_rate")
        options.update(
            perplexity=float(
                side.slider(
                    "Perplexity",
                    2,
                    100,
                    30,
                    key="perplexity",
                    bind="query-params",
                    help="Roughly how many neighbours each point attends to.",
                )
            ),
            learning_rate="auto" if rate < 10 else float(rate),
            metric=side.radio("Metric", proj.METRICS, key="metric", bind="query-params", horizontal=True),
            seed=whole_number(side, "Seed", 0, 10_000, 0, key="projection_seed"),
        )
    else:
        column = side.selectbox(
            "Search axes in", list(embedding.metadata) or ["(no metadata)"], key="axis_column", bind="query-params"
        )
        options.update(
            left=side.text_input("x from", "", key="left", bind="query-params", max_chars=proj.MAX_QUERY_LENGTH),
            right=side.text_input("x to", "", key="right", bind="query-params", max_chars=proj.MAX_QUERY_LENGTH),
            down=side.text_input(
                "y from (optional)", "", key="down", bind="query-params", max_chars=proj.MAX_QUERY_LENGTH
            ),
            up=side.text_input("y to (optional)", "", key="up", bind="query-params", max_chars=proj.MAX_QUERY_LENGTH),
            regex=side.toggle("Regular expressions", key="axis_regex", bind="query-params"),
        )
    return proj.ProjectionParams(**options), column


def shipped_coordinates(shipped: dict, params: proj.ProjectionParams, embedding_size: int) -> proj.Projection | None:
    """A UMAP or t-SNE computed at training time, when these are exactly its parameters.

    (PCA is recomputed: it is instant, and only a live PCA can place new points.)
    """
    coordinates = shipped.get(proj.projection_key(params))
    if coordinates is None or params.method not in ("umap", "tsne") or len(coordinates) != embedding_size:
        return None  # (a sampled default would need its indices: none is shipped beyond 10,000 points)
    return proj.Projection(
        coordinates=coordinates,
        indices=np.arange(len(coordinates)),
        explained_variance=None,
        note="computed at training time",
        params=params,
        cannot_place="This projection was computed at training time and cannot place new "
        "points; change a parameter and press Run to fit one here.",
    )


# Finished projections shared by all sessions, by (data id, parameters, axis column). Not
# `st.cache_resource`: a cached function may not update a progress bar drawn outside it.
CACHE = LRU(16)
WORKER = ProjectionWorker()  # one for all sessions: jobs queue rather than compete for two cores
WORKER_METHODS = ("umap", "tsne")


def is_ready(
    data_id: str, embedding: Embedding, params: proj.ProjectionParams, column: str | None, shipped: dict
) -> bool:
    """True when showing these parameters costs nothing: PCA, a shipped default, or already cached."""
    return (
        params.method == "pca"
        or CACHE.get((data_id, params, column)) is not None
        or shipped_coordinates(shipped, params, len(embedding)) is not None
    )


def compute(
    data_id: str, embedding: Embedding, params: proj.ProjectionParams, column: str | None, shipped: dict, place=st
) -> proj.Projection:
    """The projection for these parameters, from the shipped file, the cache, or computed with its
    progress shown in `place`."""
    ready = shipped_coordinates(shipped, params, len(embedding)) or CACHE.get((data_id, params, column))
    if ready is not None:
        return ready
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

    bar = place.progress(0.0, text=f"Computing {proj.describe(params)}…")
    interrupted = []  # a widget moved meanwhile: Streamlit asks this run to rerun at its next call

    def progress(fraction: float, message: str) -> None:
        if not interrupted:  # a StopException (the session closed) goes through: the job is dropped
            try:
                bar.progress(min(max(fraction, 0.0), 1.0), text=message)
            except RerunException as request:  # the same person: finish and cache first, minutes of work
                interrupted.append(request)

    labels = embedding.metadata.get(column) if column else None
    if params.method in WORKER_METHODS:  # numba and openTSNE grow the process that runs them: not this one
        result = WORKER.project(embedding.vectors, params, progress=progress, labels=labels)
    else:
        result = proj.project(embedding.vectors, params, progress=progress, labels=labels)
    CACHE[(data_id, params, column)] = result
    if interrupted:
        raise interrupted[0]
    bar.empty()
    return result


def axis_titles(params: proj.ProjectionParams, result: proj.Projection) -> tuple[str, ...]:
    """Each axis's title; short in 3-D, where a title is drawn inside the scene and a long one is cut."""
    if params.method == "pca" and result.explained_variance is not None:
        share = result.explained_variance
        template = "PC{} ({:.1%})" if params.dims == 3 else "PC{} ({:.1%} of variance)"
        return tuple(template.format(c + 1, share[c]) for c in params.components[: params.dims])
    if params.method == "custom":
        return (
            f"{params.left} → {params.right}",
            f"{params.down} → {params.up}" if params.up else "most variance left",
            "most variance left",
        )
    name = proj.METHOD_NAMES[params.method]
    return tuple(f"{name} {i + 1}" for i in range(params.dims))


# Display and inspection -----------------------------------------------------------------------


PREFERRED_COLOURS = ("label", "category", "kind")  # the columns a data set is most often coloured by
CATEGORY_SAMPLE = 20_000  # rows looked at to tell a column of categories from one of names


def default_colour(metadata: dict) -> str:
    """The column the plot is first coloured by: the first of the preferred ones, then of the others,
    that holds few enough distinct values to tell apart by colour; "(none)" if none does. A column of
    one name per point (an upload's words) would colour 24 points and grey out the rest."""
    from explorer.projector.plot import MAX_CATEGORIES

    ordered = [c for c in PREFERRED_COLOURS if c in metadata] + [c for c in metadata if c not in PREFERRED_COLOURS]
    for column in ordered:
        values = np.asarray(metadata[column])[:CATEGORY_SAMPLE]
        if len(np.unique(values if values.dtype.kind == "O" else values.astype(str))) <= MAX_CATEGORIES:
            return column
    return "(none)"


def display_controls(embedding: Embedding) -> dict:
    # In the sidebar, under the projection, as the TensorFlow Projector's left panel: the plot stays
    # near the top of the page, in view on a 1280×720 shared screen.
    columns = ["(none)", *embedding.metadata]
    side = st.sidebar
    colour = side.selectbox(
        "Colour by", columns, index=columns.index(default_colour(embedding.metadata)), key="color", bind="query-params"
    )
    label = side.selectbox(
        "Label by",
        columns,
        key="label_by",
        bind="query-params",
        help="Text beside each point, when there are at most 2,000 points.",
    )
    row = side.columns(2)
    size = row[0].slider("Point size", 1, 15, 5, key="size", bind="query-params")
    opacity = row[1].slider("Opacity", 0.1, 1.0, 0.8, 0.05, key="opacity", bind="query-params")
    return dict(
        color_by=None if colour == "(none)" else colour,
        label_by=None if label == "(none)" else label,
        point_size=size,
        opacity=opacity,
    )


def search_controls(embedding: Embedding) -> np.ndarray | None:
    """A bool mask of the points matching the search, or None when there is no search."""
    if not embedding.metadata:
        return None
    query = st.text_input(
        "Search",
        "",
        key="search",
        bind="query-params",
        max_chars=200,
        placeholder="plain text, or a regular expression",
    )
    row = st.columns([3, 2], vertical_alignment="bottom")  # the side column is narrow on a 1280-px screen
    column = row[0].selectbox("Search in", list(embedding.metadata), key="search_column", bind="query-params")
    regex = row[1].toggle("Regex", key="search_regex", bind="query-params")
    if not query:
        return None
    try:
        return proj.query_mask(embedding.metadata[column], query, regex)
    except ValueError as error:
        st.error(literal(error), icon=":material/error:")
        return None


def on_plot_select() -> None:
    """Streamlit's own selection event: its points arrive only where plot_selection.js could not take
    them first (the rows come from it, and this event then holds only the box or lasso outline)."""
    from explorer.projector.plot import selected_rows

    rows = selected_rows(st.session_state.get("plot"), memory().points)
    if rows:
        select_rows(rows)


def select_rows(rows: list[int]) -> None:
    """A click picks the point for the inspector; a box or lasso becomes the selection to isolate."""
    memory().selection = rows
    if len(rows) == 1:
        st.session_state["point"] = rows[0]


def isolation_controls(result: proj.Projection, count: int, data_id: str, matches: np.ndarray | None) -> np.ndarray:
    """Buttons to isolate the selection (a box or lasso, else the points matching the search, a bool
    mask by embedding row) or show all again; returns the positions in `result` of the points to draw."""
    kept = memory()
    kept.points = count
    if kept.selection_of != data_id:  # another data set: its rows mean nothing here
        kept.selection_of, kept.selection, kept.isolated = data_id, [], None
    selection, isolated = kept.selection, kept.isolated
    found = [] if matches is None else np.flatnonzero(matches).tolist()
    chosen, what = (selection, "selection") if len(selection) > 1 else (found, "matches")
    row = st.columns([3, 2, 2], vertical_alignment="center")
    if isolated is not None:
        row[0].caption(f"Showing {len(isolated):,} isolated points of {count:,}.")
    elif len(selection) > 1:
        row[0].caption(f"{len(selection):,} points selected.")
    elif found:
        row[0].caption(f"{len(found):,} points match the search.")
    else:
        row[0].caption("Click a point to inspect it; with the box or lasso tool (2-D), select several.")
    if row[1].button(f"Isolate the {what}", key="isolate", disabled=len(chosen) < 1 or len(chosen) == count):
        kept.isolated = np.array(sorted(chosen))
        st.rerun()
    if row[2].button("Show all", key="show_all", disabled=isolated is None):
        kept.isolated = None
        st.rerun()
    if isolated is None:
        return np.arange(len(result.indices))
    return np.flatnonzero(np.isin(result.indices, isolated))


def inspector(embedding: Embedding, data_id: str, kind: str) -> list[int]:
    """The chosen point, its metadata and its nearest neighbours in the original space."""
    from explorer.maths.neighbours import nearest

    # Two rows, not three columns: the side column is narrow on a 1280-px shared screen.
    row = st.columns(2, vertical_alignment="bottom")
    point = whole_number(
        row[0], "Point #", 0, len(embedding) - 1, 0, key="point", help="Click a point on the plot, or type its number."
    )
    metric = row[1].radio("Distance", ["cosine", "euclidean"], key="distance", bind="query-params")
    k = st.slider("Nearest points shown", 1, MAX_NEIGHBOURS, 12, key="k", bind="query-params")
    row = st.columns([1, 1], vertical_alignment="center")
    if embedding.thumbnails is not None:  # never smaller than its neighbours' pictures below
        row[0].image(png_data_uri(embedding.thumbnails[point]), width=image_pixels(2 * THUMBNAIL_PIXELS))
    with row[1]:
        st.markdown(
            "  \n".join(f"**{plain(name)}**: {plain(values[point])}" for name, values in embedding.metadata.items())
            or f"Point #{point}"
        )
        if kind == "vae":
            st.link_button(
                "Open in VAE",
                vae_link(data_id, embedding.vectors[point]),
                icon=":material/tune:",
                help="This point's latent vector on the VAE page's sliders.",
            )
    rows, distances = nearest(embedding.vectors, point, k, metric)
    label = "name" if "name" in embedding.metadata else next(iter(embedding.metadata), None)
    captions = [
        f"{short_name(embedding.metadata[label][r]) if label else f'#{r}'} · {d:.3f}" for r, d in zip(rows, distances)
    ]
    if embedding.thumbnails is not None:
        st.image(
            [png_data_uri(embedding.thumbnails[r]) for r in rows],
            width=image_pixels(THUMBNAIL_PIXELS),
            caption=captions,
        )
    else:
        st.dataframe(
            {"point": rows, "distance": distances, **({label: embedding.metadata[label][rows]} if label else {})},
            hide_index=True,
        )
    st.caption(
        f"The {k} nearest points to #{point} by {metric} distance in the original "
        f"{embedding.dim}-dimensional space, not in the projection."
    )
    return [point, *rows.tolist()]


def plain(value) -> str:
    """A metadata value as Markdown shows it literally, every character as in the file (it may come
    from an upload): `item_0` stays `item_0`."""
    return literal(str(value))


def vae_link(model_name: str, z: np.ndarray) -> str:
    """The VAE page with its sliders at this latent vector (rounded to the sliders' 0.1 steps)."""
    values = np.round(np.clip(z, -3.0, 3.0), 1)
    return f"vae?model={model_name}&" + "&".join(f"z{i + 1}={v:g}" for i, v in enumerate(values))


def interpolation_path(embedding: Embedding, result: proj.Projection) -> np.ndarray | None:
    """An interpolation between two points, as the VAE page makes it, placed into the projection."""
    from explorer.maths import latent

    with st.expander("Draw an interpolation path", icon=":material/timeline:"):
        if result.cannot_place:
            st.caption(result.cannot_place)
            return None
        row = st.columns(4)
        start = int(row[0].number_input("From point #", 0, len(embedding) - 1, 0, key="path_from"))
        end = int(row[1].number_input("To point #", 0, len(embedding) - 1, min(1, len(embedding) - 1), key="path_to"))
        frames = int(row[2].slider("Frames", 3, 16, 8, key="path_frames"))
        method = row[3].radio("Path", ["spherical", "linear"], key="path_method", horizontal=True)
        if not st.toggle("Show the path", key="show_path"):
            return None
        path = latent.interpolate(embedding.vectors[start], embedding.vectors[end], frames, method)
        try:
            return result.transform(path)
        except ValueError as error:  # e.g. the worker holding a UMAP model was idle and let it go
            st.caption(str(error))
            return None


def downloads(embedding: Embedding, result: proj.Projection, shown: np.ndarray) -> None:
    """The data set as Projector files, and the coordinates of the points shown with their metadata.

    Every download in the app is `on_click="ignore"`: a download changes nothing on the page, so it
    need not rerun it (on this page a rerun under load took seconds, and raced the deferred file).
    """
    rows = result.indices[shown]
    row = st.columns(2)
    row[0].download_button(
        "Projector files (zip)",
        lambda: export_projector_zip(embedding),
        f"{embedding.name}-projector.zip",
        "application/zip",
        key="export_zip",
        on_click="ignore",
        icon=":material/download:",
        help="Vectors, metadata and sprite as projector.tensorflow.org loads them.",
    )
    row[1].download_button(
        "Coordinates (CSV)",
        lambda: projection_csv(result.coordinates[shown], {k: v[rows] for k, v in embedding.metadata.items()}),
        f"{embedding.name}-{result.params.method}.csv",
        "text/csv",
        key="export_csv",
        on_click="ignore",
        icon=":material/table:",
        help="The projected coordinates of the points shown, with their metadata.",
    )
