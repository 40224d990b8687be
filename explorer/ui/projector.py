"""The Projector page's parts: projection controls, the projection on screen, colours, search and isolation
(the data sets: projector_data; the inspector and downloads: projector_inspect).

Every control is bound to the URL, so a link reopens the same data set, projection, colouring
and selected point. Projections are cached per (data set, parameters): PCA is instant; UMAP and
t-SNE run when the person presses Run (or when a link asks for them), with a progress bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from explorer.projector import projection as proj
from explorer.projector.embedding import Embedding
from explorer.projector.queries import query_mask
from explorer.projector.shared import SharedProjections
from explorer.ui.common import literal, session_object, whole_number
from explorer.ui.streamlit_internals import RerunException

METHOD_LABELS = {"PCA": "pca", "UMAP": "umap", "t-SNE": "tsne", "Custom": "custom"}


@dataclass(frozen=True)
class Applied:
    """The projection the plot shows: of which data set, with which parameters, coloured how."""

    data_id: str
    params: proj.ProjectionParams
    column: str | None


@dataclass
class ProjectorPageState:
    """What the Projector page keeps between runs besides its widgets' values."""

    applied: Applied | None = None  # the projection on screen (a slow one waits for Run)
    requested: Applied | None = None  # the one Run asked for: computed after the page shows the last one
    selection: list = field(default_factory=list)  # rows picked with the box or lasso
    selection_of: str | None = None  # the data set those rows belong to
    isolated: np.ndarray | None = None  # rows the view is limited to; None: all
    parsed_upload: tuple | None = None  # (the uploaded files' ids, size and embedding, what parsing them gave)
    upload_names: tuple | None = None  # (the uploaded files' ids, the embeddings their config lists)
    points: int = 0  # how many points the data set on screen has: a selection names rows below it


def page_state() -> ProjectorPageState:
    return session_object(ProjectorPageState)


def applied_projection(data_id: str, embedding, params, column, shipped) -> Applied:
    """The projection to show: the one asked for if it is instant, cached or the first of a data set
    (so a link opens its view at once); else the last one, with a Run button for the new one."""
    kept = page_state()
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
    return page_state().requested


def compute_requested(embedding: Embedding, shipped: dict, place) -> None:
    """Compute Run's projection with its progress in `place`, then show it (the page runs again)."""
    requested = page_state().requested
    try:
        compute(requested.data_id, embedding, requested.params, requested.column, shipped, place)
    finally:
        page_state().requested = None  # done, or refused with a sentence: never asked again by itself
    page_state().applied = requested
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


PROJECTIONS = SharedProjections()  # the finished ones and the worker, shared by every session


def is_ready(
    data_id: str, embedding: Embedding, params: proj.ProjectionParams, column: str | None, shipped: dict
) -> bool:
    """True when showing these parameters costs nothing: PCA, a shipped default, or already cached."""
    return (
        params.method == "pca"
        or PROJECTIONS.get((data_id, params, column)) is not None
        or shipped_coordinates(shipped, params, len(embedding)) is not None
    )


def compute(
    data_id: str, embedding: Embedding, params: proj.ProjectionParams, column: str | None, shipped: dict, place=st
) -> proj.Projection:
    """The projection for these parameters, from the shipped file, the cache, or computed with its
    progress shown in `place`."""
    ready = shipped_coordinates(shipped, params, len(embedding)) or PROJECTIONS.get((data_id, params, column))
    if ready is not None:
        return ready
    bar = place.progress(0.0, text=f"Computing {proj.describe(params)}…")
    interrupted = []  # a widget moved meanwhile: Streamlit asks this run to rerun at its next call

    def progress(fraction: float, message: str) -> None:
        if not interrupted:  # a StopException (the session closed) goes through: the job is dropped
            try:
                bar.progress(min(max(fraction, 0.0), 1.0), text=message)
            except RerunException as request:  # the same person: finish and cache first, minutes of work
                interrupted.append(request)

    labels = embedding.metadata.get(column) if column else None
    result = PROJECTIONS.compute((data_id, params, column), embedding.vectors, params, progress, labels)
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
        return query_mask(embedding.metadata[column], query, regex)
    except ValueError as error:
        st.error(literal(error), icon=":material/error:")
        return None


def on_plot_select() -> None:
    """Streamlit's own selection event: its points arrive only where plot_selection.js could not take
    them first (the rows come from it, and this event then holds only the box or lasso outline)."""
    from explorer.projector.plot import selected_rows

    rows = selected_rows(st.session_state.get("plot"), page_state().points)
    if rows:
        select_rows(rows)


def select_rows(rows: list[int]) -> None:
    """A click picks the point for the inspector; a box or lasso becomes the selection to isolate."""
    page_state().selection = rows
    if len(rows) == 1:
        st.session_state["point"] = rows[0]


def isolation_controls(result: proj.Projection, count: int, data_id: str, matches: np.ndarray | None) -> np.ndarray:
    """Buttons to isolate the selection (a box or lasso, else the points matching the search, a bool
    mask by embedding row) or show all again; returns the positions in `result` of the points to draw."""
    kept = page_state()
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
