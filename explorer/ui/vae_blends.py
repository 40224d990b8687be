"""Two of the workshop's VAE slides as views: "we can interpolate between *distributions*" (a strip
of posteriors on the way from one input to another, samples stacked under each) and "between two
(or more) inputs" (a grid that blends three or four). Every control is bound to the URL.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.images import png_bytes, tile, upscale
from explorer.maths import latent
from explorer.serving.models import ImageAutoencoder
from explorer.ui import presenter
from explorer.ui.common import literal, show_image, whole_number
from explorer.ui.vae import posterior_picker

CORNERS = {4: ["Top left", "Top right", "Bottom left", "Bottom right"], 3: ["Top", "Bottom left", "Bottom right"]}
CORNER_COUNT_KEY = "corners"


def distinct_examples(model: ImageAutoencoder, count: int) -> list[int]:
    """The first held-out examples of `count` different labels (different digits, emoji of different
    categories), so that a view's default inputs differ; the first `count` without labels."""
    labels = model.examples.get("y")
    if labels is None:
        return list(range(count))
    _, first = np.unique(labels, return_index=True)
    order = sorted(first, key=lambda index: (labels[index] + 3) % 10)  # from label 7: a 7, an 8, a 9, a 0
    return [int(index) for index in order[:count]] + list(range(max(0, count - len(order))))


def picker(model: ImageAutoencoder, label: str, key: str, example: int, sliders: bool = False):
    """An input's posterior (vae.posterior_picker), examples first; a link naming an example that does
    not exist gets a sentence."""
    _explain_linked_example(model, f"{key}_example")
    sources = ("held-out example", "your upload") + (("current sliders",) if sliders else ())
    return posterior_picker(model, label, key, sources, example=example)


def _explain_linked_example(model: ImageAutoencoder, key: str) -> None:
    """A link naming an example that does not exist gets a sentence (Streamlit would drop it silently)."""
    asked, count = st.query_params.get(key), len(model.examples["x"])
    if asked is not None and not (asked.isascii() and asked.isdigit() and int(asked) < count):
        st.warning(
            f"The link asks for example “{literal(asked[:20])}”; there are {count:,} (0–{count - 1}). "
            "Showing another instead.",
            icon=":material/warning:",
        )


def distributions_section(model: ImageAutoencoder) -> None:
    """N(μ_t, σ_t²) from the first input's posterior to the second's, with samples under each frame."""
    presenter.explain(
        "An encoder gives every input a distribution, not a point: N(μ, σ²). Here the distribution "
        "itself moves from the first input's to the second's (μ and σ each in a straight line). The "
        "top row decodes each frame's mean; the rows below decode samples from that frame's "
        "distribution, the same noise in every frame. Where the frames' σ is wide, the samples differ more.",
        label="About this view",
    )
    ends = st.columns(2)
    defaults = distinct_examples(model, 2)
    with ends[0]:
        first = picker(model, "From", "dfrom", defaults[0])
    with ends[1]:
        second = picker(model, "To", "dto", defaults[1])
    settings = st.columns(3)
    frames = settings[0].slider("Frames", 3, 10, 7, key="dframes", bind="query-params")
    count = settings[1].slider("Samples per frame", 1, 6, 4, key="dsamples", bind="query-params")
    seed = whole_number(settings[2], "Seed", 0, latent.MAX_SEED, 0, key="dseed", help="The samples' noise.")
    if first is None or second is None:
        return
    means, sigmas = latent.interpolate_distributions(*first, *second, frames)
    samples = latent.distribution_samples(means, sigmas, count, seed)  # (frames, count, D)
    width = min(900, 90 * frames)
    show_image(tile(model.decode_latents(means), frames), pixels=width, caption="the path of the means μ_t")
    below = model.decode_latents(samples.transpose(1, 0, 2).reshape(-1, model.latent_dim))
    grid = tile(below, frames)
    spread = np.linalg.norm(sigmas, axis=1)
    show_image(
        grid,
        pixels=width,
        caption=f"{count} samples from each N(μ_t, σ_t²), seed {seed}; ‖σ‖ from {spread[0]:.2f} to {spread[-1]:.2f}",
    )
    _download(grid, "distributions", "download_distributions")


def blend_section(model: ImageAutoencoder) -> None:
    """Three or four corner inputs and the grid of their blends (barycentric or bilinear), decoded."""
    presenter.explain(
        "Not just two inputs: three or four corners, and every cell between them decodes a weighted "
        "mix of their means (bilinear for four corners, barycentric for three: a triangle).",
        label="About this view",
    )
    settings = st.columns([1, 2], gap="large")
    with settings[0]:
        count = corner_count()
    size = settings[1].slider("Cells a side", 3, 9, 5, key="cells", bind="query-params")
    names = CORNERS[count]
    columns = st.columns(count)
    corners, defaults = [], distinct_examples(model, 4)
    for index, (column, name) in enumerate(zip(columns, names)):
        with column:
            picked = picker(model, name, f"c{index + 1}", defaults[index], sliders=True)
            corners.append(None if picked is None else picked[0])
    if any(corner is None for corner in corners):
        return
    grid = blend_grid(model, np.stack(corners), size)
    show_image(grid, pixels=min(720, 90 * size), caption=f"{' · '.join(names)}: the corners")
    _download(grid, f"blend-{count}", "download_blend")


def corner_count() -> int:
    """3 or 4, from the picker; a link asking for another number gets a sentence."""
    asked = st.query_params.get(CORNER_COUNT_KEY)
    if asked is not None and asked not in ("3", "4"):
        st.query_params.pop(CORNER_COUNT_KEY)
        st.warning(
            f"A blend has three or four corners; the link asks for “{literal(asked[:20])}”. Showing four.",
            icon=":material/warning:",
        )
    picked = st.segmented_control(
        "Inputs at the corners",
        ["4", "3"],
        default="4",
        key=CORNER_COUNT_KEY,
        bind="query-params",
        required=True,
    )
    return int(picked)


def blend_grid(model: ImageAutoencoder, corners: np.ndarray, size: int) -> np.ndarray:
    """The decoded blends laid out as one image: a square for four corners, a triangle for three."""
    if len(corners) == 4:
        return tile(model.decode_latents(latent.blend(corners, latent.bilinear_weights(size))), size)
    positions, weights = latent.barycentric_weights(size)
    images = model.decode_latents(latent.blend(corners, weights))
    cells = np.full((size * size, *images.shape[1:]), 0 if images.shape[-1] == 1 else 255, images.dtype)
    cells[positions[:, 0] * size + positions[:, 1]] = images
    return tile(cells, size)


def _download(image: np.ndarray, name: str, key: str) -> None:
    st.download_button(
        "Download PNG",
        png_bytes(upscale(image, 4)),
        f"{name}.png",
        "image/png",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )
