"""The Projector page's side panel and what follows the plot: the chosen point, its nearest
neighbours in the original space, an interpolation path drawn into the projection, and downloads."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.images import png_data_uri
from explorer.projector import projection as proj
from explorer.projector.embedding import Embedding
from explorer.projector.tables import projection_csv
from explorer.projector.uploads import export_projector_zip
from explorer.ui.common import SLIDER_LIMIT, literal, short_name, whole_number
from explorer.ui.presenter import image_pixels
from explorer.ui.vae import slider_key

MAX_NEIGHBOURS = 100
THUMBNAIL_PIXELS = 80


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
    values = np.round(np.clip(z, -SLIDER_LIMIT, SLIDER_LIMIT), 1)
    return f"vae?model={model_name}&" + "&".join(f"{slider_key(i)}={v:g}" for i, v in enumerate(values))


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
