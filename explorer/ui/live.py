"""Sliders whose picture is drawn in the browser, by the same `.tflite` file the server runs.

`live_sliders` mounts a Streamlit v2 component (web/components/live_sliders.js): HTML sliders
beside a canvas, with the model run by LiteRT.js in the page, so the picture follows a drag frame
by frame and the server hears of it once, when the drag ends. v2 rather than v1: it renders in the
page itself, not in an iframe, so the runtime and compiled models are loaded once per tab and
shared by every page, and its state values reach Python without a custom message channel.

The slider values live in `st.session_state` under their ids (as the server-side sliders' do) and
in the URL. Where the runtime cannot load, the component says so (`failed`), and `enabled()` is
False from then on for this session: the page draws its server-side sliders and says why.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np
import streamlit as st

from explorer.images import png_data_uri
from explorer.palette import EMPHASIS
from explorer.serving.routes import MODULE_URL, RUNTIME_URL, model_url
from explorer.ui import presenter
from explorer.ui.common import literal

WEB = Path(__file__).resolve().parents[2] / "web" / "components"
FAILED = "live_failed"  # session key: why the in-browser runtime could not run here
REFUSED = "live_refused"  # session key: the page sent positions that are not numbers (said once, then dropped)
SERVER = "runtime"  # URL parameter: ?runtime=server draws on the server, as before the live sliders


@dataclass
class Slider:
    id: str  # its session-state key and URL parameter
    label: str
    min: float
    max: float
    step: float
    default: float = 0.0
    vector: list | None = None  # the direction it moves z along (None: it scales the base, as ψ does)
    help: str | None = None
    unit: str = ""


def server_slider(container, slider: Slider, format: str | None = None, label: str | None = None) -> float:
    """The same slider as Streamlit draws it on the server path, bound to the URL under its id.
    `label` replaces the slider's plain-text label (Markdown, for a name that came from a link)."""
    return container.slider(
        label or slider.label,
        slider.min,
        slider.max,
        slider.default,
        slider.step,
        key=slider.id,
        bind="query-params",
        format=format,
        help=slider.help,
    )


_components: dict = {}


def component(name: str, runtime: bool = True):
    """The v2 component `web/components/<name>.js` (with the shared runtime loader before it, unless
    `runtime` is False, and `<name>.css` if there is one), registered once per process."""
    if name not in _components:
        css = WEB / f"{name}.css"
        shared = (WEB / "live_runtime.js").read_text() + "\n" if runtime else ""
        _components[name] = st.components.v2.component(
            f"latent_explorer_{name}",
            js=shared + (WEB / f"{name}.js").read_text(),
            css=css.read_text() if css.exists() else None,
        )
    return _components[name]


RUNTIME = {"module": MODULE_URL, "wasm": RUNTIME_URL}  # what the components load LiteRT.js from
_MOUNTS = itertools.count()


def unique(data: dict) -> dict:
    """`data` made unlike any earlier message, so that Streamlit never sends it by reference.

    A component's message is over 10 KB (its JS), so Streamlit caches it in the browser and sends
    the same message again only as a reference. When the same values came back a few runs later
    (the same image uploaded in another format, then "Move the sliders to μ") while a fragment run
    overlapped, the browser had just let it go: "Cached ForwardMsg MISS", and the page stopped (seen
    in the crawl under load). A counter makes every message new; the browser ignores it."""
    return {**data, "mount": next(_MOUNTS)}


def on_failed(key: str) -> None:
    """A live component's `failed` state: from now on this session draws and writes on the server."""
    reason = (st.session_state.get(key) or {}).get("failed")
    if reason:
        st.session_state[FAILED] = str(reason)[:200]


def enabled() -> bool:
    """Whether this session's pictures are drawn in the browser."""
    if st.query_params.get(SERVER) == "server":
        return False
    return FAILED not in st.session_state


def explain_fallback(what: str = "Pictures are drawn") -> None:
    """One line on a page computing on the server although the browser was meant to."""
    reason = st.session_state.get(FAILED)
    if reason:
        st.caption(
            f":material/cloud: {what} on the server: this browser could not run the model itself ({literal(reason)})."
        )


def values_from_link(sliders: list[Slider]) -> list[str]:
    """Put each slider's value from the URL into the session (the first time it is seen); returns
    a sentence for each value in the link that is not a number in the slider's range."""
    problems = []
    for slider in sliders:
        if slider.id in st.session_state:
            continue
        text = st.query_params.get(slider.id)
        if text is None:
            continue
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if math.isfinite(value) and slider.min <= value <= slider.max:
            st.session_state[slider.id] = value
        else:
            shown = literal(text[:20])
            problems.append(f"{slider.id}={shown} in the link is not a number from {slider.min:g} to {slider.max:g}")
            del st.query_params[slider.id]
    return problems


def _to_link(sliders: list[Slider], values: dict) -> None:
    for slider in sliders:
        value = round(float(values[slider.id]), 2)
        if value == slider.default:
            st.query_params.pop(slider.id, None)
        elif st.query_params.get(slider.id) != f"{value:g}":
            st.query_params[slider.id] = f"{value:g}"


def heard(key: str, sliders: list[Slider]) -> dict:
    """The sliders' positions the component `key` last reported (see `positions`)."""
    state = st.session_state.get(key)
    return positions(state.get("position") if isinstance(state, dict) else None, sliders)


def positions(position, sliders: list[Slider]) -> dict:
    """A reported position as {id: value}: only the sliders' own ids, only finite numbers (a browser
    may send anything in a state value: NaN had put `z1=nan` in the URL and drawn a black picture)."""
    if not isinstance(position, dict):
        return {}
    numbers = {}
    for slider in sliders:
        value = position.get(slider.id)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            numbers[slider.id] = float(value)
    return numbers


def refused(position, sliders: list[Slider]) -> bool:
    """Whether a reported position is not what the page sends: {slider id: finite number}. Unknown
    keys are ignored; a slider's id holding anything but a finite number is refused."""
    if not isinstance(position, dict):
        return True
    numbers = positions(position, sliders)
    return any(slider.id in position and slider.id not in numbers for slider in sliders)


def _on_position(key: str, sliders: list[Slider]) -> None:
    state = st.session_state.get(key)
    if refused(state.get("position") if isinstance(state, dict) else None, sliders):
        st.session_state[REFUSED] = True
    by_id = {slider.id: slider for slider in sliders}
    for id, value in heard(key, sliders).items():
        st.session_state[id] = float(np.clip(value, by_id[id].min, by_id[id].max))


def sparse(vector: np.ndarray) -> dict:
    """A vector as its size and its non-zero entries: a conditional GAN's one-hot class of 1,743
    numbers goes to the page in a few bytes, not 9 KB at every rerun."""
    at = np.flatnonzero(vector)
    return {"size": len(vector), "at": [int(i) for i in at], "values": [float(vector[i]) for i in at]}


def live_sliders(
    key: str,
    checkpoint,
    role: str,
    output_shape: tuple,
    sliders: list[Slider],
    base: np.ndarray,
    suffix: np.ndarray | None = None,
    scale: str | None = None,
    placeholder: np.ndarray | None = None,
    pixels: int = 320,  # the picture's width (presenter mode: larger), as far as its column and the screen allow
    caption: str | None = None,
    show_z: bool = False,
    plane: str | None = None,
    judge: int | None = None,
) -> dict:
    """The sliders and their picture; returns the current values {id: value}. With `judge` (a
    column of the checkpoint's discriminator output: the class asked for, or 0), the page also
    runs the GAN's discriminator on every picture and says how real it finds it."""
    problems = values_from_link(sliders)
    if st.session_state.pop(REFUSED, False):
        st.warning("The page sent slider positions that are not numbers; they were ignored.", icon=":material/warning:")
    if problems:
        st.warning("; ".join(problems) + ". It starts from the default instead.", icon=":material/warning:")
    values = {slider.id: float(st.session_state.get(slider.id, slider.default)) for slider in sliders}
    _to_link(sliders, values)
    specs = [
        {**asdict(slider), "vector": None if slider.vector is None else [float(v) for v in slider.vector]}
        for slider in sliders
    ]
    data = {
        "runtime": RUNTIME,
        "model": {"url": model_url(checkpoint, role), "shape": [int(v) for v in output_shape]},
        "base": [float(v) for v in base],
        "suffix": sparse(np.zeros(0) if suffix is None else suffix),
        "scale": scale,
        "sliders": specs,
        "values": values,
        # What Python last heard from the page: a value equal to it is the page's own, already on screen
        # (or moved on from by a held key); only a value unlike it (a button, a link) moves a slider.
        "heard": heard(key, sliders),
        "pixels": presenter.image_pixels(pixels),
        "large": presenter.is_on(),
        "caption": caption,
        "showZ": show_z,
        "placeholder": None if placeholder is None else png_data_uri(placeholder),
        # A Plotly chart of the 2-d latent plane: the pointer over it decodes live, and the page marks
        # the sliders' z on it with a × in the emphasis colour.
        "plane": None if plane is None else {"selector": plane, "colour": EMPHASIS},
        "judge": None if judge is None else {"url": model_url(checkpoint, "discriminator"), "column": int(judge)},
    }
    component("live_sliders")(
        key=key,
        data=unique(data),
        on_position_change=partial(_on_position, key, sliders),
        on_failed_change=partial(on_failed, key),
    )
    return values
