"""Projector page: embeddings in 2-D or 3-D, like projector.tensorflow.org, with neighbours and search."""

import numpy as np
import streamlit as st

from explorer.projector.plot import projection_figure
from explorer.ui import projector, projector_data, projector_inspect
from explorer.ui.common import literal
from explorer.ui.hover_thumbnails import hover_thumbnails
from explorer.ui.plot_selection import plot_selection
from explorer.ui.presenter import explain, sized

st.title("Projector: see an embedding")
explain(
    "Every point is one vector: an image's latent code, or a character's learnt embedding. PCA shows the "
    "directions of greatest variance; UMAP and t-SNE keep neighbours together. Click a point to see its "
    "nearest neighbours in the original space."
)

data_id, embedding, shipped, kind = projector_data.data_picker()
if embedding is None:
    st.stop()
params, column = projector.projection_controls(embedding)

# A link reopens its view at once; afterwards, slow projections wait for Run, and while Run's projection
# is computed (at the end of this run) the last one stays on screen, greyed.
applied = projector.applied_projection(data_id, embedding, params, column, shipped)
computing = projector.requested_projection()
try:
    result = projector.compute(data_id, embedding, applied.params, applied.column, shipped)
except ValueError as error:
    st.error(literal(error), icon=":material/error:")
    st.stop()

style = projector.display_controls(embedding)
plot, side = st.columns([5, 3], gap="large")  # the plot straight under the title, on a 1280x720 screen too
with plot:
    progress = st.empty()  # Run's progress, above the last projection
    # Drawn after the controls below it, which decide what it shows; greyed while another is computed.
    chart = st.container(key="plot_waiting" if computing else "plot_shown")
    if computing:
        st.html(projector.WAITING_STYLE)
with side:
    highlight = projector.search_controls(embedding)
with plot:
    shown = projector.isolation_controls(result, len(embedding), data_id, matches=highlight)
with side:
    marked = projector_inspect.inspector(embedding, data_id, kind)
with plot:
    path = projector_inspect.interpolation_path(embedding, result)
    figure = projection_figure(
        result.coordinates[shown],
        result.indices[shown],
        embedding.metadata,
        highlight=None if highlight is None else highlight[result.indices[shown]],
        marked=np.array(marked),
        path=path,
        axis_titles=projector.axis_titles(applied.params, result),
        **style,
    )
    chart.plotly_chart(
        sized(figure),
        key="plot",
        on_select=projector.on_plot_select,
        selection_mode=("points", "box", "lasso"),
        config={"displaylogo": False},
    )
    with chart:
        hover_thumbnails(data_id, embedding, chart_key="plot")
        plot_selection("plot", len(embedding), projector.select_rows)
    matching = None if highlight is None else int(highlight[result.indices[shown]].sum())
    notes = [
        projector.caption(applied, params, result, computing),
        f"{len(shown):,} points" + (f" · {matching:,} match the search" if matching is not None else ""),
    ]
    chart.caption(" · ".join(n for n in notes if n))
    projector_inspect.downloads(embedding, result, shown)
if computing:
    try:
        projector.compute_requested(embedding, shipped, progress)
    except ValueError as error:
        st.error(literal(error), icon=":material/error:")
