"""The Projector page's scatter plot: projected points coloured, labelled and highlighted by metadata.

Pure plotly, no Streamlit. Every point carries its index in the embedding as the first value of
its customdata, so a click or a lasso selection maps back to the embedding's rows whatever trace
the point was drawn in.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explorer.palette import EMPHASIS, NEUTRAL, PRIMARY, SAFE_PALETTE

MAX_CATEGORIES = len(SAFE_PALETTE) - 1  # the most frequent categories get a colour; the rest are "other"
MAX_HOVER_COLUMNS = 4  # metadata columns listed when hovering a point
MAX_TEXT_LABELS = 2_000  # beyond this many points, labels would be an unreadable smear
HOVER_CHARS = 40  # of each metadata value in the hover box: every selected point sends its hover data back
OTHER_COLOUR = NEUTRAL  # grey
DIMMED = "#c8c8c8"
MATCH_GROWTH = 4  # pixels a point matching the search is larger than the others


def _as_text(values):
    """Metadata (from a file) as plotly shows it literally: plotly reads <a href>, <img>-like tags and
    %{...} templates in hover text, labels and legend names; entities show as the characters."""
    escapes = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("%", "&#37;"))
    if isinstance(values, str):
        for character, entity in escapes:
            values = values.replace(character, entity)
        return values
    if values.dtype.kind == "O":  # an upload's column: each distinct string escaped once, no fixed width
        escaped: dict = {}
        shown = np.empty(len(values), dtype=object)
        shown[:] = [escaped[v] if v in escaped else escaped.setdefault(v, _as_text(str(v))) for v in values.tolist()]
        return shown
    if values.dtype.kind != "U":
        return values
    for character, entity in escapes:
        values = np.char.replace(values, character, entity)
    return values


def _cut(values: np.ndarray) -> np.ndarray:
    """Values as the hover box shows them: at most HOVER_CHARS characters."""
    cut = np.empty(len(values), dtype=object)
    cut[:] = [v if len(v) <= HOVER_CHARS else v[: HOVER_CHARS - 1] + "…" for v in map(str, values.tolist())]
    return cut


def is_numeric(values: np.ndarray) -> bool:
    """A column to colour on a continuous scale: all finite numbers, and not a handful of integer labels."""
    try:
        numbers = np.asarray(values, dtype=float)
    except ValueError:
        return False
    if not np.isfinite(numbers).all():
        return False
    whole = np.all(numbers == np.round(numbers))
    return not (whole and len(np.unique(numbers)) <= 2 * MAX_CATEGORIES)


def category_colours(values: np.ndarray) -> dict[str, str]:
    """Each category's colour-blind-safe colour: all of them in order when they fit, else the most
    frequent first."""
    names, counts = np.unique(values, return_counts=True)
    if len(names) <= MAX_CATEGORIES:  # all fit: in their natural order (digits 0-9, categories A-Z)
        try:
            order = np.argsort(names.astype(float), kind="stable")
        except ValueError:
            order = np.arange(len(names))
    else:
        order = np.lexsort((names, -counts))[:MAX_CATEGORIES]
    return {str(names[i]): SAFE_PALETTE[rank] for rank, i in enumerate(order)}


def projection_figure(
    coordinates: np.ndarray,
    indices: np.ndarray,
    metadata: dict[str, np.ndarray],
    color_by: str | None = None,
    label_by: str | None = None,
    point_size: float = 5,
    opacity: float = 0.8,
    highlight: np.ndarray | None = None,
    marked: np.ndarray | None = None,
    path: np.ndarray | None = None,
    axis_titles: tuple[str, ...] = ("x", "y", "z"),
    height: int = 640,
) -> go.Figure:
    """Points at `coordinates` (n, 2|3); `indices` (n,) are their rows in the embedding.

    `highlight` (n,) bool dims every other point (a search); `marked` are embedding rows to ring
    (the clicked point first, then its neighbours); `path` (m, dims) is drawn as a line (an
    interpolation placed into the projection).
    """
    three_d = coordinates.shape[1] == 3
    rows = {name: _as_text(np.asarray(values)[indices]) for name, values in metadata.items()}
    text = rows[label_by] if label_by and len(indices) <= MAX_TEXT_LABELS else None
    figure = go.Figure()
    add = _point_adder(figure, coordinates, indices, metadata, text)
    base = dict(size=point_size, opacity=opacity)
    shown = np.ones(len(indices), bool) if highlight is None else np.asarray(highlight, bool)
    if highlight is not None and (~shown).any():
        add(~shown, "not matching", dict(base, color=DIMMED, opacity=min(opacity, 0.25)))
        base["size"] = point_size + MATCH_GROWTH  # the matches stand out from the grey ones
    _add_coloured(add, shown, rows.get(color_by) if color_by else None, color_by, base)
    if marked is not None and len(marked):
        _add_marked(add, indices, marked, point_size)
    if path is not None and len(path):
        line = dict(
            x=path[:, 0],
            y=path[:, 1],
            mode="lines+markers",
            name="interpolation path",
            legendrank=3002,
            line=dict(color=PRIMARY, width=3),
            marker=dict(size=point_size + 2, color=PRIMARY),
            hoverinfo="skip",
        )
        figure.add_trace(go.Scatter3d(**line, z=path[:, 2]) if three_d else go.Scattergl(**line))
    figure.update_layout(**_layout(height, axis_titles, three_d))
    return figure


def _point_adder(figure: go.Figure, coordinates: np.ndarray, indices: np.ndarray, metadata: dict, text):
    """`add(chosen, name, marker, ...)`: a trace of the chosen points, each hovering with its row and
    first metadata columns (the row as a number: a selection reads it back)."""
    three_d = coordinates.shape[1] == 3
    hover_columns = list(metadata)[:MAX_HOVER_COLUMNS]
    custom = np.empty((len(indices), 1 + len(hover_columns)), dtype=object)
    custom[:, 0] = indices.tolist()
    for column, name in enumerate(hover_columns, 1):
        custom[:, column] = _as_text(_cut(np.asarray(metadata[name])[indices])).tolist()
    hover = (
        "<br>".join(
            ["<b>#%{customdata[0]}</b>"]
            + [f"{_as_text(name)}: %{{customdata[{i + 1}]}}" for i, name in enumerate(hover_columns)]
        )
        + "<extra></extra>"
    )

    def add(chosen: np.ndarray, name: str, marker: dict, showlegend: bool = True, legendrank: int = 1000) -> None:
        axes = dict(x=coordinates[chosen, 0], y=coordinates[chosen, 1])
        if three_d:
            axes["z"] = coordinates[chosen, 2]
        trace = go.Scatter3d if three_d else go.Scattergl
        figure.add_trace(
            trace(
                **axes,
                mode="markers+text" if text is not None else "markers",
                name=name,
                text=None if text is None else text[chosen],
                textposition="top center",
                customdata=custom[chosen],
                hovertemplate=hover,
                marker=marker,
                showlegend=showlegend,
                legendrank=legendrank,
            )
        )

    return add


def _add_coloured(add, shown: np.ndarray, values: np.ndarray | None, column: str | None, base: dict) -> None:
    """The shown points coloured by a column: a colour scale for numbers, a colour per category (the
    commonest ones; the rest grey as "other"), or one colour without a column."""
    if values is None:
        add(shown, "points", dict(base, color=PRIMARY), showlegend=False)
    elif is_numeric(values):
        values = values.astype(float)
        scale = dict(colorscale="Viridis", showscale=True, cmin=values.min(), cmax=values.max())
        add(shown, column, dict(base, color=values[shown], colorbar=dict(title=column), **scale), showlegend=False)
    else:
        colours = category_colours(values)
        known = np.isin(values, list(colours))
        if (shown & ~known).any():
            other = f"other ({len(np.unique(values[~known])):,} values)"
            add(shown & ~known, other, dict(base, color=OTHER_COLOUR), legendrank=2000)
        # The largest category is drawn first, beneath: 1,000 held-out points among 8,000 training
        # ones stay visible (drawn last, the training points hid them). The legend keeps its order.
        sizes = {name: int((shown & (values == name)).sum()) for name in colours}
        for rank, name in sorted(enumerate(colours), key=lambda item: -sizes[item[1]]):
            add(shown & (values == name), name, dict(base, color=colours[name]), legendrank=1000 + rank)


def _add_marked(add, indices: np.ndarray, marked: np.ndarray, point_size: float) -> None:
    """Rings around the chosen point's neighbours, and a bigger one around the point (when shown)."""
    position = {row: i for i, row in enumerate(indices)}
    neighbours = [position[row] for row in marked[1:] if row in position]
    if neighbours:
        ring = np.zeros(len(indices), bool)
        ring[neighbours] = True
        black_ring = dict(size=point_size + 6, color="rgba(0,0,0,0)", line=dict(width=2, color="#000000"))
        add(ring, "neighbours", black_ring, legendrank=3000)
    if marked[0] in position:  # the chosen point may be isolated away or outside a sample
        first = np.zeros(len(indices), bool)
        first[position[marked[0]]] = True
        ring = dict(size=point_size + 10, color="rgba(0,0,0,0)", line=dict(width=3, color=EMPHASIS), symbol="circle")
        add(first, "selected", ring, legendrank=3001)


def _layout(height: int, axis_titles: tuple[str, ...], three_d: bool) -> dict:
    """The legend below (the plot keeps its width); zoom and camera kept across reruns."""
    legend = dict(itemsizing="constant", orientation="h", yanchor="top", y=-0.14, x=0)
    layout = dict(height=height, margin=dict(l=10, r=10, t=30, b=10), legend=legend, uirevision="keep")
    if three_d:
        # A drag turns the cloud (Streamlit's selection modes would make it pan the cloud out of view).
        layout["scene"] = dict(
            xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], zaxis_title=axis_titles[2], dragmode="turntable"
        )
    else:
        layout.update(xaxis_title=axis_titles[0], yaxis_title=axis_titles[1])
    return layout


def selected_rows(event, count: int) -> list[int]:
    """Embedding rows (each in 0 … count − 1) of the points a plotly selection event names (click, box
    or lasso), in order, without repeats. The event comes from the browser: anything else in it is ignored."""
    selection = event.get("selection") if isinstance(event, dict) else None
    points = selection.get("points") if isinstance(selection, dict) else None
    rows = []
    for point in points[: 2 * count] if isinstance(points, list) else ():
        custom = point.get("customdata") if isinstance(point, dict) else None
        rows.append(custom[0] if isinstance(custom, list) and custom else None)
    return valid_rows(rows, count)


def valid_rows(values, count: int) -> list[int]:
    """The values that are rows of a data set of `count` points (whole numbers in 0 … count − 1), in
    order, without repeats: what a browser reports as selected, with anything else left out."""
    kept: dict[int, None] = {}
    for value in values[: 2 * count] if isinstance(values, list) else ():
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count:
            kept[value] = None
    return list(kept)
