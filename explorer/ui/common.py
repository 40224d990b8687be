"""Cached model loading, model pickers and crisp image display for every page."""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from explorer.checkpoint import Checkpoint, CheckpointError, checkpoint_root, list_checkpoints
from explorer.images import gif_bytes, png_bytes, png_data_uri, tile, upscale
from explorer.serving.models import ImageAutoencoder, ImageGenerator
from explorer.ui import presenter
from explorer.ui.arrival import scroll_to_linked_tabs

ON_SCREEN = "on_screen_"  # key prefix of a page's main pictures (see show_image)
FOLD = "calc(100vh - 19rem)"  # their largest side: the screen less the title, a row of controls, a caption
DISPLAY_PIXELS = 320  # on-screen size of a single model image (presenter mode: 1.5 times that)

# Every latent slider (a VAE's z, a GAN's raw z and its directions) runs over ±3 σ of the N(0, 1)
# prior in steps of one arrow-key press; the URL keeps a value to that step.
SLIDER_LIMIT = 3.0
SLIDER_STEP = 0.1


def literal(text) -> str:
    """`text` as Markdown shows it, character for character: for anything that came from a link or a file.

    Streamlit renders Markdown in labels, captions and alerts: a link's `[Sign in](https://…)` would be
    a clickable link, and `![](http://…)` would make every viewer's browser fetch that address. Its
    Markdown also turns bare addresses into links after escapes are read, so an invisible word
    joiner (U+2060) splits every "//" and "www.".
    """
    import re

    text = re.sub(r"(?i)(/)(/)|(w)(ww\.)", lambda m: "\u2060".join(g for g in m.groups() if g), str(text))
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$])", r"\\\1", text)


def session_object(kind: type):
    """The session's one `kind` object (a page's dataclass of what it keeps between runs besides
    its widgets' values), made on first use: one key per page instead of loose string keys."""
    key = f"page.{kind.__qualname__}"
    if not isinstance(st.session_state.get(key), kind):
        st.session_state[key] = kind()
    return st.session_state[key]


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def load_autoencoder(folder: str) -> ImageAutoencoder:
    """One shared, thread-safe instance per checkpoint folder for all sessions."""
    return ImageAutoencoder.from_folder(folder)


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def load_generator(folder: str) -> ImageGenerator:
    """One shared, thread-safe GAN per checkpoint folder for all sessions."""
    return ImageGenerator.from_folder(folder)


def whole_number(
    container, label: str, low: int, high: int, value: int, step: int | None = None, *, key: str, **options
) -> int:
    """A whole-number field bound to the URL (?key=N); a link with an infinite N opens at the default.

    Streamlit 1.67 raises OverflowError while seeding a whole-number field from ?key=inf (or 1e999):
    such a value is dropped from the URL, and the page reruns without it, before the field is made.
    """
    if _is_infinite(st.query_params.get(key)):
        del st.query_params[key]
        st.rerun()
    return int(container.number_input(label, low, high, value, step, key=key, bind="query-params", **options))


def _is_infinite(text: str | None) -> bool:
    try:
        return math.isinf(float(text))
    except (TypeError, ValueError):
        return False


def checkpoint_picker(kinds: tuple, label: str, key: str = "model") -> Checkpoint | None:
    """A model selectbox in the sidebar, bound to the URL; reports broken checkpoints."""
    checkpoints, broken = list_checkpoints(kinds)
    if broken:
        with st.sidebar.expander(f"{len(broken)} checkpoint folder(s) could not be read", icon=":material/warning:"):
            for _, error in broken:
                st.warning(error)
    if not checkpoints:
        st.error(
            f"No {'/'.join(kinds)} checkpoint found in {checkpoint_root()}. Train one with: "
            f"`python -m explorer train {kinds[0]} --data mnist`"
        )
        return None
    checkpoints.sort(key=lambda c: (getattr(c.config, "latent_dim", 0), c.name))
    by_name = {c.name: c for c in checkpoints}
    # The pages share this key (and URL parameter): arriving from another page, it holds that
    # page's model. Go back to the one this page had, and keep it for the next visit.
    kept = f"{key}_of_{'_'.join(kinds)}"
    if st.session_state.get(key, checkpoints[0].name) not in by_name:
        previous = st.session_state.get(kept)
        st.session_state[key] = previous if previous in by_name else checkpoints[0].name
    # No format_func: a bound selectbox writes the shown label into the URL, so the label is the name.
    asked = st.query_params.get(key)
    name = st.sidebar.selectbox(label, list(by_name), key=key, bind="query-params")
    say_if_unknown(asked, list(by_name), name, f"a {'/'.join(kinds).upper()} model")
    st.session_state[kept] = name
    st.sidebar.caption(by_name[name].title)
    return by_name[name]


def say_if_unknown(asked: str | None, options: list, shown: str, what: str) -> None:
    """A sentence when a link asked for a choice the page does not have: Streamlit opens the picker on
    its default without a word, and drops the value from the URL."""
    if asked is not None and asked not in options:
        st.warning(
            f"The link asks for {what} called “{literal(asked[:40])}”, which this app does not have; "
            f"showing {literal(shown)} instead.",
            icon=":material/warning:",
        )


def model_picker(kinds: tuple, loader=load_autoencoder) -> tuple[Checkpoint, object]:
    """The sidebar's model choice and its served model; the page stops after saying what is wrong."""
    checkpoint = checkpoint_picker(kinds, "Model")
    model = load_or_explain(checkpoint, loader) if checkpoint else None
    if model is None:
        st.stop()
    return checkpoint, model


def load_or_explain(checkpoint: Checkpoint, loader=load_autoencoder):
    """The served model of `checkpoint`, or None after saying on the page what is wrong with it."""
    try:
        return loader(str(checkpoint.folder))
    except CheckpointError as error:
        st.error(str(error), icon=":material/warning:")
        return None


def show_image(
    image: np.ndarray, caption: str | None = None, pixels: int | str = DISPLAY_PIXELS, on_screen: str | None = None
) -> None:
    """Show a uint8 (H, W, C) image `pixels` wide (wider in presenter mode), crisp and with no extra round trip.

    The PNG travels at its own small size inside the page update as a data URI (a 28 x 28 digit is
    under 1 KB), so the browser does not have to fetch a media file after each slider move; the
    browser enlarges it with nearest-neighbour pixels (`use_crisp_images`). A page's main picture
    names itself `on_screen`: it then shrinks to stay above the fold of a short screen (1280×720).
    """
    from contextlib import nullcontext

    tall = "tall_" if image.shape[0] > 1.5 * image.shape[1] else ""  # twice as tall as wide: half as wide
    with st.container(key=f"{ON_SCREEN}{tall}{on_screen}") if on_screen else nullcontext():
        st.image(png_data_uri(image), caption=caption, width=presenter.image_pixels(pixels))


def path_settings(methods: list[str], help: str) -> tuple[int, str]:
    """An interpolation's frames and path (`methods`, the first the default), both bound to the URL."""
    settings = st.columns(2)
    frames = settings[0].slider("Frames", 3, 16, 8, key="frames", bind="query-params")
    method = settings[1].radio("Path", methods, key="path", bind="query-params", horizontal=True, help=help)
    return frames, method


def strip_with_downloads(images: np.ndarray, key: str, name: str = "interpolation") -> None:
    """A row of frames on screen, downloadable as a PNG strip and as an animated GIF."""
    frames = len(images)
    strip = tile(images, frames)
    show_image(strip, pixels=min(1100, 110 * frames))
    downloads = st.columns(2)
    downloads[0].download_button(
        "Download PNG strip",
        png_bytes(upscale(strip, 4)),
        f"{name}.png",
        "image/png",
        key=f"{key}_png",
        on_click="ignore",
    )
    downloads[1].download_button(
        "Download animated GIF",
        gif_bytes(np.stack([upscale(i, 8) for i in images])),
        f"{name}.gif",
        "image/gif",
        key=f"{key}_gif",
        on_click="ignore",
    )


def home_picture() -> None:
    """A 9 x 9 walk over the smallest VAE's latent plane, decoded live: the app in one picture."""
    from explorer.images import tile
    from explorer.maths.latent import plane_grid

    checkpoints, _ = list_checkpoints(("vae",))
    if not checkpoints:
        return
    smallest = min(checkpoints, key=lambda c: getattr(c.config, "latent_dim", 0))
    try:
        model = load_autoencoder(str(smallest.folder))
    except CheckpointError:
        return
    z = plane_grid(9, extent=2.0)
    if model.latent_dim > 2:
        z = np.pad(z, ((0, 0), (0, model.latent_dim - 2)))
    show_image(
        tile(model.decode_latents(z), 9, gap=0),
        pixels="stretch",  # never wider than its column
        caption=f"Decodes of a 9×9 grid of latent points, {smallest.title}",
    )


def use_crisp_images() -> None:
    """Any further browser scaling of model images stays nearest-neighbour (pixelated), not blurred,
    an image asked to be wider than its column (a narrow window, presenter mode) fits the column, and
    a hairline frame keeps white-background images (emoji) from dissolving into the white page."""
    st.html(
        "<style>[data-testid='stImage'] img { image-rendering: pixelated;"
        " outline: 1px solid rgba(0, 0, 0, 0.12); }"
        "[data-testid='stImageContainer'] { max-width: 100%; }"
        # A main picture is never taller than the screen below the page's title and first row.
        f"[class*='st-key-{ON_SCREEN}'] [data-testid='stImage'] img {{ max-width: min(100%, {FOLD}) !important; }}"
        f"[class*='st-key-{ON_SCREEN}tall_'] [data-testid='stImage'] img {{ max-width: min(100%, {FOLD} / 2) !important; }}"
        "</style>"
    )


def short_name(name: str, length: int = 10) -> str:
    """A neighbour's caption: the name without a ":code" suffix (emoji code points), cut with an
    ellipsis to what fits one line under its thumbnail."""
    name = str(name).split(":")[0] or str(name)
    return name if len(name) <= length else name[: length - 1] + "…"


def open_tab(sections: dict, key: str, *args, page: str | None = None) -> None:
    """Tabs bound to the URL (`?KEY=title`), of which only the open one is drawn: every element on a
    page costs the browser time at each slider move. `sections` maps each title to the function that
    draws its tab, called with `args`. With `page`, a link naming a tab opens with it in view."""
    if page is not None:
        scroll_to_linked_tabs(key, page=page)
    tabs = st.tabs(list(sections), key=key, bind="query-params", on_change="rerun")
    for tab, draw in zip(tabs, sections.values()):
        if tab.open:
            with tab:
                draw(*args)
