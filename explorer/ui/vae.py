"""The VAE page's sections: sliders, examples and uploads, interpolation, the 2-d map, AE vs VAE.

Each `*_section` draws one part of the page and returns nothing; the latent vector lives in
`st.session_state` under the slider keys `z1..zD`. Those and every other control are bound to the
URL, so a link reopens the same view (all but an uploaded image, which `VaePageState` keeps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.checkpoint import list_checkpoints
from explorer.images import MAX_UPLOAD_BYTES, ImageInputError, fit_to_model, read_upload, tile
from explorer.maths import latent
from explorer.serving.models import ImageAutoencoder
from explorer.ui import live, presenter
from explorer.ui.common import (
    SLIDER_LIMIT,
    SLIDER_STEP,
    literal,
    load_autoencoder,
    path_settings,
    session_object,
    show_image,
    strip_with_downloads,
    whole_number,
)
from explorer.ui.streamlit_internals import forget_uploads, let_go

TRAVERSAL_VALUES = np.linspace(-SLIDER_LIMIT, SLIDER_LIMIT, 9)
TRAVERSAL_DEFAULT_DIMS = 4  # show the traversal by default up to this many dimensions
UNUSED_SHARE = 0.05  # a dimension whose KL is under this share of the busiest one's is marked unused


@dataclass
class VaePageState:
    """What the VAE page keeps between runs besides its widgets' values."""

    traversal_model: str | None = None  # the model the traversal toggle was last drawn for
    # The encoded upload ({"seen", "mu", "sigma", "notes", "name"}) or {"error": sentence}; None without one
    upload: dict | None = None


def heldout_line(metrics: dict, latent_dim: int) -> str:
    """The sidebar's one line on how well the model does on images it never trained on.

    A Gaussian likelihood's −ELBO is a density (negative, in nats) that no one can read next to a
    Bernoulli one, so colour models say how close their decodes come instead (PSNR)."""
    line = f"{latent_dim}-d latent"
    if metrics.get("likelihood") == "gaussian" and "psnr_db" in metrics:
        return f"{line} · held-out decodes {metrics['psnr_db']:.1f} dB PSNR · KL {metrics['kl']:.0f} nats"
    if "neg_elbo" in metrics:
        return f"{line} · held-out −ELBO {metrics['neg_elbo']:.1f} nats per image"
    return line


def slider_key(dim: int) -> str:
    return f"z{dim + 1}"


def current_latent(latent_dim: int) -> np.ndarray:
    return np.array([st.session_state.get(slider_key(d), 0.0) for d in range(latent_dim)], dtype="float32")


def slider_values(z: np.ndarray) -> np.ndarray:
    """z as the sliders can show it: clipped to their ±3 σ range, rounded to their step."""
    return np.round(np.clip(np.asarray(z, dtype="float64"), -SLIDER_LIMIT, SLIDER_LIMIT), 1)


def set_latent(z: np.ndarray) -> None:
    """Move the sliders to z (as `slider_values` has it)."""
    for dim, value in enumerate(slider_values(z)):
        st.session_state[slider_key(dim)] = float(value)


def example_picker(model: ImageAutoencoder, label: str, key: str, value: int = 0, **options) -> int:
    """An index into the held-out examples, with what it shows.

    A number field rather than a selectbox of every example: a 1,000-option selectbox is re-rendered
    by the browser on every slider move and made each one about 15 ms slower.
    """
    count = len(model.examples["x"])
    index = whole_number(st, f"{label} (0–{count - 1})", 0, count - 1, value, 1, key=key, **options)
    st.caption(example_label(model, index))
    return index


def example_label(model: ImageAutoencoder, index: int) -> str:
    examples, names = model.examples, model.checkpoint.data.label_names
    if "name" in examples:  # emoji: their short name and category
        category = f" ({names[examples['y'][index]]})" if names and "y" in examples else ""
        return f"#{index} — {examples['name'][index].replace('_', ' ')}{category}"
    labels = examples.get("y")
    return f"#{index}" + (f" — a {labels[index]}" if labels is not None else "")


def slider_view(model: ImageAutoencoder) -> None:
    """Sliders through z and the decoded image (run as a fragment: only it reruns when a slider moves).

    In the browser (explorer/ui/live.py) the picture follows a drag frame by frame; on the server
    (a browser that cannot run the model, or ?runtime=server) it follows each release."""
    buttons = st.columns(2 if model.latent_dim == 2 else [1, 1, 2], gap="small")
    if buttons[0].button("Random sample", icon=":material/casino:", key="random", help="Draw z from the prior N(0, I)"):
        set_latent(latent.sample_prior(1, model.latent_dim)[0])
    if buttons[1].button("Reset to zero", icon=":material/restart_alt:", key="reset"):
        set_latent(np.zeros(model.latent_dim))
    if live.enabled():
        z = live_view(model)
    else:
        live.explain_fallback()
        z = server_view(model)
    # Off by default for large latents: 9 decodes per dimension would slow every slider move. Another
    # model picked on the page opens with its own default, as its link would, not the last model's.
    default = model.latent_dim <= TRAVERSAL_DEFAULT_DIMS
    kept = session_object(VaePageState)
    if kept.traversal_model not in (None, model.name):
        st.session_state["show_traversal"] = default
    kept.traversal_model = model.name
    if st.toggle(
        "Latent traversal around this vector",
        value=default,
        key="show_traversal",
        bind="query-params",
        help="A grid that follows the sliders; it costs 9 decodes per dimension.",
    ):
        traversal = model.decode_latents(latent.traversal_grid(z, TRAVERSAL_VALUES))
        st.caption("Row i sweeps z_i from −3σ (left) to +3σ (right); the other dimensions stay as set.")
        show_image(tile(traversal, len(TRAVERSAL_VALUES)), pixels=min(560, 62 * len(TRAVERSAL_VALUES)))


slider_section = st.fragment(slider_view)


def latent_sliders(model: ImageAutoencoder) -> list[live.Slider]:
    """One slider per dimension of z, in σ of the prior, labelled with how much the model uses it."""
    identity = np.eye(model.latent_dim, dtype="float32")
    return [
        live.Slider(
            slider_key(dim),
            f"z{dim + 1} (σ)" + (" · barely used" if unused else ""),
            -SLIDER_LIMIT,
            SLIDER_LIMIT,
            SLIDER_STEP,
            vector=list(identity[dim]),
            help=about,
        )
        for dim, (unused, about) in enumerate(dimension_use(str(model.checkpoint.folder), model))
    ]


def live_view(model: ImageAutoencoder) -> np.ndarray:
    """The sliders and the decoded image, decoded in the browser while a slider moves."""
    z = current_latent(model.latent_dim)
    live.live_sliders(
        "live_vae",
        model.checkpoint,
        "decoder",
        model.image_shape,
        latent_sliders(model),
        base=np.zeros(model.latent_dim),
        placeholder=model.decode_latents(z)[0],
        caption="decoded image",
        show_z=True,
        plane=".st-key-latent_map .js-plotly-plot" if model.latent_dim == 2 else None,
    )
    return current_latent(model.latent_dim)


def server_view(model: ImageAutoencoder) -> np.ndarray:
    """Streamlit's sliders and the image decoded on the server after each move."""
    plane = model.latent_dim == 2
    controls, view = st.columns([1, 1] if plane or presenter.is_on() else [3, 2], gap="large")
    with controls:
        columns = st.columns(2 if model.latent_dim > 4 else 1)
        for dim, slider in enumerate(latent_sliders(model)):
            live.server_slider(columns[dim % len(columns)], slider, "%.1f")
    z = current_latent(model.latent_dim)
    with view:
        show_image(model.decode_latents(z)[0], caption="decoded image", on_screen="decoded")
        st.caption("z = [" + ", ".join(f"{v + 0.0:.1f}" for v in z) + "]")  # + 0.0: no "-0.0"
    return z


@st.cache_data(max_entries=8, show_spinner=False)
def dimension_use(folder: str, _model: ImageAutoencoder) -> list[tuple[bool, str | None]]:
    """For each slider: whether the model barely uses its dimension, and a help text with its KL to
    the prior over the held-out examples (once per model, not at every slider move).

    A dimension the model does not use (σ ≈ 1, KL ≈ 0) changes the decode barely; the label says so.
    """
    examples = _model.examples
    if _model.kind != "vae" or "sigma" not in examples:
        return [(False, None)] * _model.latent_dim
    kl = latent.kl_per_dimension(examples["mu"], examples["sigma"])
    busiest = float(kl.max()) or 1.0
    return [
        (
            True,
            f"Barely used by the model (KL {value:.2f} nats per image): moving this slider changes the image little.",
        )
        if value < UNUSED_SHARE * busiest
        else (
            False,
            f"KL {value:.2f} nats per image, {value / busiest:.0%} of the busiest dimension's: how "
            "much this dimension tells the decoder about an image.",
        )
        for value in kl
    ]


def _encode_upload(model: ImageAutoencoder) -> None:
    upload = st.session_state.get("upload")
    if let_go(upload):  # the file this page read and let go (below): what it showed stays
        return
    kept = session_object(VaePageState)
    kept.upload = None
    if upload is None:
        return
    try:
        image, notes = read_upload(upload.getvalue())
        seen, fit_notes = fit_to_model(image, model.image_shape, model.preprocess)
    except ImageInputError as error:
        kept.upload = {"error": literal(f"{upload.name}: {error}")}
        return
    finally:  # what the page shows is kept above: the file itself need not wait for the session's end
        forget_uploads([upload])
    encoding = model.encode_images(seen[None])
    kept.upload = {
        "seen": seen,
        "mu": encoding.mu[0],
        "sigma": encoding.sigma[0],
        "notes": notes + fit_notes + ["The sliders moved to this image's μ."],
        "name": upload.name,
    }
    set_latent(encoding.mu[0])


def _move_to(mu: np.ndarray) -> None:
    """The μ button: the sliders go to μ, or, where they are already (an upload put them there), it says so."""
    if np.allclose(current_latent(len(mu)), slider_values(mu)):
        st.toast("The sliders are at μ already: the image put them there.", icon=":material/check:")
    set_latent(mu)


def _pick_example(model: ImageAutoencoder) -> None:
    set_latent(model.examples["mu"][st.session_state["example"]])


def example_section(model: ImageAutoencoder) -> None:
    """Start from a held-out digit or an upload: show its posterior N(μ, σ²), move the sliders to μ."""
    pick, upload = st.tabs(
        ["Pick from the data", "Upload your own"], key="example_source", bind="query-params", on_change="rerun"
    )
    if pick.open:  # lazily: only the open tab is drawn
        with pick:
            index = example_picker(
                model,
                "Held-out example",
                "example",
                on_change=_pick_example,
                args=(model,),
                help="Images the model never trained on. Picking one moves the sliders to its μ.",
            )
            encoding = model.encode_images(model.examples["x"][index][None])
            posterior_view(model, model.examples["x"][index], encoding.mu[0], encoding.sigma[0], "example")
    if upload.open:
        with upload:
            st.file_uploader(
                f"An image of {upload_subject(model)} (any format, size or colour)",
                key="upload",
                type=["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"],
                max_upload_size=MAX_UPLOAD_BYTES // 2**20,  # the field says the limit the page keeps
                on_change=_encode_upload,
                args=(model,),
            )
            result = session_object(VaePageState).upload
            if result and "error" in result:
                st.error(result["error"], icon=":material/error:")
            elif result:
                for note in result["notes"]:
                    st.info(note, icon=":material/info:")
                posterior_view(model, result["seen"], result["mu"], result["sigma"], "upload")


def upload_subject(model: ImageAutoencoder) -> str:
    """What the model knows how to draw, for the uploader's label: "a digit", "an emoji"."""
    source = model.checkpoint.data.source.lower()
    return "an emoji" if "emoji" in source else "a digit" if model.preprocess == "mnist" else "an image like its data"


def posterior_view(model: ImageAutoencoder, seen: np.ndarray, mu: np.ndarray, sigma: np.ndarray, key: str) -> None:
    from explorer.ui.plots import posterior_svg

    columns = st.columns([1, 1, 3])
    with columns[0]:
        show_image(seen, caption="what the model saw", pixels=160)
    with columns[1]:
        show_image(model.decode_latents(mu)[0], caption="decode of μ", pixels=160)
    with columns[2]:
        # A callback: it runs before the sliders exist in the next run, so it may set their values.
        st.button(
            "Move the sliders to μ",
            key=f"use_{key}",
            on_click=_move_to,
            args=(mu,),
            help="The sliders, and the picture above, go to μ.",
        )
        if model.kind == "vae":
            samples = model.decode_latents(latent.sample_posterior(mu, sigma, 6, seed=0))
            show_image(tile(samples, 6), caption="six samples from N(μ, σ²): what this image could also be", pixels=480)
    if model.kind == "vae":
        st.image(
            posterior_svg(mu, sigma),
            width=presenter.image_pixels(720),
            caption="μ ± σ per dimension; grey band: the prior's ±1σ. "
            "σ near 1 means the model ignores that dimension for this image.",
        )


SOURCES = ("current sliders", "held-out example", "your upload")  # where an input's posterior comes from


def posterior_picker(
    model: ImageAutoencoder, label: str, key: str, sources: tuple = SOURCES, index: int = 0, example: int = 0
):
    """An input's posterior (μ, σ): the sliders' z (σ zero), a held-out example's, or the upload's;
    None, after a sentence, while there is no upload."""
    source = st.radio(label, list(sources), index=index, key=f"{key}_source", bind="query-params", horizontal=True)
    if source == "current sliders":
        z = current_latent(model.latent_dim)
        return z, np.zeros_like(z)
    if source == "held-out example":
        picked = example_picker(model, "Example", f"{key}_example", value=example)
        return model.examples["mu"][picked], model.examples["sigma"][picked]
    upload = session_object(VaePageState).upload or {}
    if "mu" not in upload:
        st.info("Upload an image in “Start from an example” first.")
        return None
    return upload["mu"], upload["sigma"]


def endpoint_picker(model: ImageAutoencoder, label: str, key: str, default: int) -> np.ndarray | None:
    """One end of an interpolation: its mean."""
    picked = posterior_picker(model, label, key, index=default, example=default * 7)
    return None if picked is None else picked[0]


def interpolation_section(model: ImageAutoencoder) -> None:
    left, right = st.columns(2)
    with left:
        start = endpoint_picker(model, "From", "from", 1)
    with right:
        end = endpoint_picker(model, "To", "to", 0)
    frames, method = path_settings(
        ["linear", "spherical"], "Spherical keeps the path at typical norms of the N(0, I) prior."
    )
    if start is None or end is None:
        return
    strip_with_downloads(model.decode_latents(latent.interpolate(start, end, frames, method)), "download")


def matching_autoencoder(model: ImageAutoencoder):
    """The shipped plain autoencoder with the same latent size and data, if there is one."""
    autoencoders, _ = list_checkpoints(("ae",))
    data_file = model.checkpoint.data.file
    for checkpoint in autoencoders:
        if checkpoint.config.latent_dim == model.latent_dim and checkpoint.data.file == data_file:
            return load_autoencoder(str(checkpoint.folder))
    return None


def ae_versus_vae_section(model: ImageAutoencoder) -> None:
    autoencoder = matching_autoencoder(model)  # the page shows this tab only where there is one
    seed = whole_number(st, "Seed", 0, 2**31 - 1, 0, key="compare_seed")
    z = latent.sample_prior(8, model.latent_dim, seed=seed)
    show_image(tile(model.decode_latents(z), 8), caption="VAE: the same 8 points from N(0, I)", pixels=880)
    show_image(tile(autoencoder.decode_latents(z), 8), caption="plain autoencoder: the same 8 points", pixels=880)
    spread = autoencoder.examples["mu"].std(axis=0)
    centre = np.abs(autoencoder.examples["mu"].mean(axis=0))
    presenter.explain(
        f"The VAE was trained so that its codes follow N(0, I): random points from N(0, I) land where it "
        f"has learnt to draw. The autoencoder was not: its codes for real digits have a standard deviation "
        f"between {spread.min():.1f} and {spread.max():.1f} per dimension and centres up to {centre.max():.1f} "
        f"away from 0, so N(0, I) is not where its codes live, and between its codes it was never trained. "
        f"The more dimensions, the emptier that space: compare the 2-d and the 16-d models.",
        label="Why the autoencoder's samples fail",
        caption=False,
    )
