"""Plotly figures for the pages: latent maps, posteriors, training curves, next-character bars.

Pure plotly; no Streamlit. Colours come from `explorer.palette`.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from explorer.images import png_data_uri
from explorer.palette import EMPHASIS, NEUTRAL, PRIMARY, SAFE_PALETTE


def image_layer(figure: go.Figure, image: np.ndarray, extent: float, height: int = 620) -> None:
    """Stretch `image` over [-extent, extent]² in data coordinates, below the traces."""
    source = png_data_uri(image)
    figure.add_layout_image(
        source=source,
        xref="x",
        yref="y",
        x=-extent,
        y=extent,
        sizex=2 * extent,
        sizey=2 * extent,
        sizing="stretch",
        layer="below",
        opacity=0.9,
    )
    axis = dict(range=[-extent, extent], zeroline=False, showgrid=False, constrain="domain")
    figure.update_layout(
        xaxis=dict(axis, title="z1"),
        yaxis=dict(axis, title="z2", scaleanchor="x"),
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="black",
        legend=dict(title="label", itemsizing="constant"),
        dragmode=False,
    )


# Labels on the latent plane: the palette without the sliders' × colour (rose) and without grey,
# ordered so that, drawn as circles and diamonds in turn, each pair of near colours (wine and brown,
# wine and indigo, the two blues, the two greens) differs in shape (8 and 9, 1 and 5 looked alike).
LABEL_COLOURS = [SAFE_PALETTE[i] for i in (0, 2, 4, 3, 5, 7, 6, 8, 9, 10)]
LABEL_SYMBOLS = ("circle", "diamond")


def label_style(index: int) -> tuple[str, str]:
    """The colour and marker symbol of the `index`-th label."""
    return LABEL_COLOURS[index % len(LABEL_COLOURS)], LABEL_SYMBOLS[index % len(LABEL_SYMBOLS)]


def label_scatter(figure: go.Figure, points: np.ndarray, labels: np.ndarray | None) -> None:
    """Encoded points coloured by label, one legend entry (and toggle) per label.

    Drawn with WebGL: as SVG, each point is an element of the page, and a thousand of them made every
    frame of a slider drag beside the chart lay out the whole page's layers again (Chromium's
    Layerize: 3 ms a frame, docs/benchmarks.md)."""
    if labels is None:
        figure.add_scattergl(
            x=points[:, 0], y=points[:, 1], mode="markers", name="data", marker=dict(size=5, color=SAFE_PALETTE[0])
        )
        return
    for index, label in enumerate(np.unique(labels)):
        chosen = labels == label
        colour, symbol = label_style(index)
        figure.add_scattergl(
            x=points[chosen, 0],
            y=points[chosen, 1],
            mode="markers",
            name=str(label),
            # A white rim: the palette's dark colours (navy, maroon) vanish on black tiles.
            marker=dict(size=7, color=colour, symbol=symbol, line=dict(width=1, color="white")),
            hovertemplate=f"label {label}<br>z1 %{{x:.2f}}, z2 %{{y:.2f}}<extra></extra>",
        )


def posterior_svg(mu: np.ndarray, sigma: np.ndarray, width: int = 720, height: int = 210) -> str:
    """μ ± σ per latent dimension against the prior's ±1 band, as a small static SVG.

    An image rather than a plotly chart: the browser redraws every chart on the page at each
    slider move, and this one sits next to the sliders.
    """
    # The axis runs to the first whole number past every μ ± σ (at least the prior's ±1), with a
    # labelled line at each whole number, so that every dot sits on a scale.
    needed = max(1, math.ceil(float(np.max(np.abs(mu) + sigma))))
    every = math.ceil(needed / 4)  # at most nine lines, 0 among them
    outermost = every * math.ceil(needed / every)
    reach = outermost + 0.15 * every
    left, right, top, bottom = 46, 10, 12, 28
    plot_h = height - top - bottom
    step = (width - left - right) / len(mu)

    def y(value: float) -> float:
        return top + plot_h * (reach - value) / (2 * reach)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12" fill="#31333F">',
        f'<rect x="{left}" y="{y(1):.1f}" width="{width - left - right}" height="{y(-1) - y(1):.1f}" '
        f'fill="{NEUTRAL}" fill-opacity="0.2"/>',
    ]
    for tick in range(-outermost, outermost + 1, every):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#cccccc" stroke-width="{1.2 if tick == 0 else 0.5}"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for dim, (m, s) in enumerate(zip(mu, sigma)):
        x = left + step * (dim + 0.5)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(m + s):.1f}" y2="{y(m - s):.1f}" '
            f'stroke="{PRIMARY}" stroke-width="2"/>'
            f'<circle cx="{x:.1f}" cy="{y(m):.1f}" r="4.5" fill="{PRIMARY}"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">z{dim + 1}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def training_curves(history: list, epoch: int | None = None, fixed_verdicts: dict | None = None) -> go.Figure:
    """A GAN's per-epoch losses, the discriminator's scores, and FID where measured, one above the other.

    `fixed_verdicts` ({"epochs": [...], "noise": [...]}) adds that epoch's D on fixed noise images."""
    from plotly.subplots import make_subplots

    epochs = np.arange(1, len(history) + 1)
    fid = [(e, record["fid"]) for e, record in zip(epochs, history) if "fid" in record]
    rows = 3 if fid else 2
    titles = ["losses (nats)", "mean D score: 1 = “real”", "FID (lower is better)"][:rows]
    figure = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=titles)
    series = [
        ("d_loss", "D loss", 1),
        ("g_loss", "G loss", 1),
        ("d_real", "D(real image)", 2),
        ("d_fake", "D(generated image)", 2),
    ]
    for index, (key, name, row) in enumerate(series):
        figure.add_scatter(
            x=epochs,
            y=[record.get(key) for record in history],
            name=name,
            mode="lines",
            line=dict(color=SAFE_PALETTE[[1, 4, 3, 5][index]], width=2),
            row=row,
            col=1,
        )
    if fixed_verdicts is not None:
        figure.add_scatter(
            x=fixed_verdicts["epochs"],
            y=fixed_verdicts["noise"],
            name="D(noise)",
            mode="lines",
            line=dict(color=NEUTRAL, width=2, dash="dash"),
            row=2,
            col=1,
        )
        figure.add_annotation(  # named on the line itself: the legend sits below the fold of a small screen
            x=fixed_verdicts["epochs"][-1],
            y=fixed_verdicts["noise"][-1],
            text="noise",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font=dict(color=NEUTRAL),
            row=2,
            col=1,
        )
    if fid:
        figure.add_scatter(
            x=[e for e, _ in fid],
            y=[v for _, v in fid],
            name="FID",
            mode="lines+markers",
            line=dict(color=SAFE_PALETTE[9], width=2),
            row=3,
            col=1,
        )
    if epoch is not None:
        figure.add_vline(x=epoch, line=dict(color=NEUTRAL, dash="dot"))
    figure.update_layout(
        height=200 * rows + 60,
        margin=dict(l=10, r=10, t=30, b=10),
        hovermode="x unified",
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
    )
    figure.update_xaxes(title_text="epoch", row=rows, col=1)
    return figure


def next_char_bars(chars: list[str], probabilities: np.ndarray, drawn: str) -> go.Figure:
    """The likeliest next characters as horizontal bars, likeliest on top; the drawn one highlighted."""
    shown = [{" ": "␣", "\n": "⏎", "\t": "⇥"}.get(c, c) for c in chars]
    colours = [EMPHASIS if c == drawn else PRIMARY for c in chars]
    figure = go.Figure(
        go.Bar(
            x=probabilities,
            y=[f"{c} " for c in shown],
            orientation="h",
            marker_color=colours,
            text=[f"{p:.1%}" for p in probabilities],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        height=40 + 26 * len(chars),
        margin=dict(l=10, r=40, t=10, b=10),
        yaxis=dict(autorange="reversed", tickfont=dict(family="monospace", size=16)),
        xaxis=dict(tickformat=".0%", range=[0, float(np.max(probabilities)) * 1.3]),
    )  # room for "96.1%"
    return figure
