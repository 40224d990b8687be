"""Plotly figures for the pages: latent maps, posteriors. Pure plotly; no Streamlit."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from explorer.images import png_bytes

# CARTO "Safe": a qualitative palette chosen to stay distinguishable with colour-vision deficiencies.
SAFE_PALETTE = ["#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499",
                "#44AA99", "#999933", "#882255", "#661100", "#6699CC", "#888888"]


def image_layer(figure: go.Figure, image: np.ndarray, extent: float) -> None:
    """Stretch `image` over [-extent, extent]² in data coordinates, below the traces."""
    source = "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")
    figure.add_layout_image(source=source, xref="x", yref="y", x=-extent, y=extent, sizex=2 * extent,
                            sizey=2 * extent, sizing="stretch", layer="below", opacity=0.9)
    axis = dict(range=[-extent, extent], zeroline=False, showgrid=False, constrain="domain")
    figure.update_layout(xaxis=dict(axis, title="z1"), yaxis=dict(axis, title="z2", scaleanchor="x"),
                         height=620, margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="black",
                         legend=dict(title="label", itemsizing="constant"), dragmode=False)


def label_scatter(figure: go.Figure, points: np.ndarray, labels: np.ndarray | None) -> None:
    """Encoded points coloured by label, one legend entry (and toggle) per label."""
    if labels is None:
        figure.add_scatter(x=points[:, 0], y=points[:, 1], mode="markers", name="data",
                           marker=dict(size=5, color=SAFE_PALETTE[0]))
        return
    for index, label in enumerate(np.unique(labels)):
        chosen = labels == label
        figure.add_scatter(x=points[chosen, 0], y=points[chosen, 1], mode="markers", name=str(label),
                           marker=dict(size=5, color=SAFE_PALETTE[index % len(SAFE_PALETTE)],
                                       line=dict(width=0.5, color="black")),
                           hovertemplate=f"label {label}<br>z1 %{{x:.2f}}, z2 %{{y:.2f}}<extra></extra>")


def posterior_chart(mu: np.ndarray, sigma: np.ndarray) -> go.Figure:
    """μ per latent dimension with ±σ bars, against the prior's ±1 band."""
    dims = [f"z{d + 1}" for d in range(len(mu))]
    figure = go.Figure(go.Scatter(x=dims, y=mu, mode="markers", marker=dict(size=10, color="#332288"),
                                  error_y=dict(type="data", array=sigma, thickness=2, width=6),
                                  hovertemplate="%{x}: μ %{y:.2f}, σ %{customdata:.2f}<extra></extra>",
                                  customdata=sigma, name="posterior"))
    figure.add_hrect(y0=-1, y1=1, fillcolor="#999999", opacity=0.15, line_width=0)
    reach = max(1.2, float(np.max(np.abs(mu) + sigma)) * 1.1)
    figure.update_layout(height=240, margin=dict(l=10, r=10, t=30, b=10), title="μ ± σ per dimension "
                         "(grey band: the prior's ±1σ)",
                         yaxis=dict(title="σ units", zeroline=True, range=[-reach, reach]))
    return figure
