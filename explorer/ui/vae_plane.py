"""The VAE page's 2-d latent plane beside the sliders: a grid of decodes with the held-out digits on
top; a click on it moves the sliders there, and the sliders' z is marked with a x."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from explorer.images import tile, upscale
from explorer.maths import latent
from explorer.serving.models import ImageAutoencoder
from explorer.ui import live, presenter
from explorer.ui.common import SLIDER_LIMIT, load_autoencoder
from explorer.ui.vae import current_latent, set_latent, slider_section, slider_view

MAP_TILES = 15  # decodes per side of the 2-d latent map
MAP_PIXELS = 400  # its height on screen (presenter mode: 1.2 times that), beside the sliders


@st.cache_data(max_entries=8, show_spinner=False)
def latent_map_image(folder: str, tiles: int) -> np.ndarray:
    model = load_autoencoder(folder)
    return tile(model.decode_latents(latent.plane_grid(tiles)), tiles, gap=0)


def _on_map_click() -> None:
    z = clicked_point(st.session_state.get("latent_map"))
    if z is not None:
        set_latent(z)


def clicked_point(event) -> list[float] | None:
    """The (x, y) a click on the plane names: two finite numbers, or None for anything else a browser
    may send in a selection (the sliders clip them to their range)."""
    try:
        point = event["selection"]["points"][0]
        z = [point["x"], point["y"]]
    except (KeyError, IndexError, TypeError):
        return None
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in z)
    return [float(v) for v in z] if numbers else None


def sliders_beside_the_plane(model: ImageAutoencoder) -> None:
    """The slider view, and for a 2-d model the latent plane beside it: a click there moves the sliders
    and the image, in view. The × on the plane is the sliders' z. In the browser the page draws it and
    moves it with every frame of a drag, and the plane stays outside the sliders' fragment, so that a
    release does not resend it; on the server, sliders and plane rerun together."""
    if model.latent_dim != 2:
        slider_section(model)
    elif live.enabled():
        _sliders_and_plane(model, marked=False)
    else:
        _sliders_and_plane_fragment(model, marked=True)


def _sliders_and_plane(model: ImageAutoencoder, marked: bool) -> None:
    left, right = st.columns([5, 4] if presenter.is_on() else [4, 3], gap="large")
    with left:
        (slider_view if marked else slider_section)(model)
    with right:
        latent_map(model, current_latent(2) if marked else None)


_sliders_and_plane_fragment = st.fragment(_sliders_and_plane)


def latent_map(model: ImageAutoencoder, z: np.ndarray | None) -> None:
    """The 2-d latent plane as a grid of decodes, the held-out digits' means on top, and the sliders'
    z marked with a × (None: the live sliders mark it in the page)."""
    import plotly.graph_objects as go

    from explorer.palette import EMPHASIS
    from explorer.ui.plots import image_layer, label_scatter

    background = latent_map_image(str(model.checkpoint.folder), MAP_TILES)
    figure = go.Figure()
    image_layer(figure, upscale(background, 2), extent=SLIDER_LIMIT, height=MAP_PIXELS)
    label_scatter(figure, model.examples["mu"], model.examples.get("y"))
    grid = latent.plane_grid(61)  # invisible click targets, so a click anywhere is a selection
    figure.add_scattergl(  # 3,721 points: WebGL, not SVG elements (see label_scatter)
        x=grid[:, 0],
        y=grid[:, 1],
        mode="markers",
        marker=dict(size=9, opacity=0.01),
        hoverinfo="none",
        showlegend=False,
        name="plane",
    )  # "skip" would also drop clicks
    if z is not None:
        figure.add_scatter(
            x=[z[0]],
            y=[z[1]],
            mode="markers",
            name="sliders",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(symbol="x", size=16, color=EMPHASIS, line=dict(width=2, color="white")),
        )
    # The legend goes under the plane, in one row: beside it, it would take half of a narrow column.
    figure.update_layout(legend=dict(orientation="h", y=-0.16, yanchor="top", x=0, title=None, entrywidth=34))
    st.plotly_chart(
        presenter.sized(figure),
        key="latent_map",
        on_select=_on_map_click,
        selection_mode="points",
        config={"displayModeBar": False},
    )
    presenter.explain(
        "The latent plane: each tile is the decode of its point, the dots are held-out digits at "
        "their encoded means, × is the sliders' z. Point anywhere to see its decode beside the sliders "
        "(drawn in your browser); click to move the sliders there.",
        label="About the latent plane",
    )
