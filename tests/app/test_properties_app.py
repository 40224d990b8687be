"""Property-based tests (hypothesis) of the pages with hostile links and uploads, through AppTest.

A link can hold anything: out-of-range numbers, NaN, words where numbers go, unknown models and
tabs, markup, repeated keys. Whatever it holds, every page renders without a traceback, shows its
main elements (or a sentence saying what is wrong), and each widget shows either its default or
exactly what the link asked for, within its range. Uploads on the VAE and Projector pages end in
the picture or a sentence. Hostile sessions leave other sessions as they were.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    ButtonGroup,
    NumberInput,
    Radio,
    Selectbox,
    SelectSlider,
    Slider,
    TextArea,
    TextInput,
    Toggle,
)

from explorer.checkpoint import SHIPPED_CHECKPOINTS
from explorer.projector import projection as proj
from explorer.ui import projector as projector_ui
from explorer.ui.common import literal
from tests.support.apptest import live_data, written_steps
from tests.support.data import ROOT
from tests.support.strategies import assert_sentence, check_params, sprite_images, uploaded_images, uploads

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does

# Each example opens a page or two (0.2 to 1 s): few examples keep the file well under a minute. No
# shrinking: each step would open the page again, and a failing link of a dozen keys reads well enough.
PAGES_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WIDGET_KINDS = (
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "radio",
    "button_group",
    "text_input",
    "text_area",
    "toggle",
)
MISSING = object()

HOSTILE = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-1e999",
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "-0.0",
    "3.0000001",
    "1e-320",
    "99999999999999999999999",
    "9" * 400,
    "1" * 5000,
    "0x10",
    "1_0",
    "٣",
    "²",
    "1,5",
    " 2 ",
    "true",
    "false",
    "None",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "**bold** `code`",
    "../../etc/passwd",
    "%00",
    "\x00",
    "\u202e",
    "😀",
    "A" * 3000,
]


@dataclasses.dataclass(frozen=True)
class Page:
    script: str
    context: tuple[str, ...]  # keys whose value changes the other widgets' defaults
    hidden_keys: tuple[str, ...]  # URL keys of widgets not on the first screen
    hidden_values: dict = dataclasses.field(default_factory=dict)  # likely values for those


PAGES = {
    "home": Page("app.py", (), ("presenter",), {"presenter": ["true", "false", "1", "TRUE"]}),
    "vae": Page(
        "app_pages/vae.py",
        ("model", "section"),
        ("section", "z3", "z16", "z17", "example", "example_source", "frames", "path", "from_source", "compare_seed"),
        {
            "section": ["The latent plane", "Start from an example", "Interpolate", "Autoencoder vs VAE"],
            "path": ["linear", "spherical"],
        },
    ),
    "gan": Page(
        "app_pages/gan.py",
        ("model", "section", "seed", "names"),
        (
            "section",
            "d7",
            "d20",
            "d21",
            "dz1",
            "dz64",
            "dz129",
            "names",
            "from_seed",
            "to_seed",
            "frames",
            "path",
            "epoch",
            "show_raw",
        ),
        {
            "names": ["1:stroke width", "0:x", "-1:x", "21:x", "²:x", "1" * 5000 + ":x", ":", "1:"],
            "section": ["Directions", "Interpolate", "Training timeline", "Nearest training images"],
            "path": ["spherical", "linear"],
        },
    ),
    "text": Page(
        "app_pages/text.py",
        ("model",),
        ("view", "position"),
        {"view": ["How probable was each character?", "Compare temperatures"]},
    ),
    "projector": Page(
        "app_pages/projector.py",
        ("data", "method"),
        (
            "n_neighbors",
            "min_dist",
            "metric",
            "projection_seed",
            "learning_rate",
            "perplexity",
            "axis_column",
            "left",
            "right",
            "down",
            "up",
            "axis_regex",
            "pc_z",
            "sprite_size",
        ),
        {
            "method": ["PCA", "UMAP", "t-SNE", "Custom", "pca", "umap"],
            "metric": ["euclidean", "cosine"],
            "left": ["1", "smil", "(a+)+$", "["],
            "right": ["7", "cat"],
            "search": ["3", "^face", "(a+)+$", "(", "*"],
        },
    ),
}


# Running pages ---------------------------------------------------------------------------------


def open_page(page: Page, query: dict, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page.script), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    with stand_in_projections():
        return at.run()


STAND_INS = []  # the parameters of every UMAP or t-SNE a page asked for


@contextmanager
def stand_in_projections():
    """A link may ask for UMAP or t-SNE of thousands of points, minutes of work: it gets PCA's picture, and
    the parameters it asked for are kept to be checked."""
    real = projector_ui.compute

    def compute(data_id, embedding, params, column, shipped):
        if params.method not in ("umap", "tsne") or projector_ui.shipped_coordinates(shipped, params, len(embedding)):
            return real(data_id, embedding, params, column, shipped)
        STAND_INS.append(params)
        stand_in = proj.project(embedding.vectors, proj.ProjectionParams(dims=params.dims))
        return dataclasses.replace(stand_in, params=params, placer=None, cannot_place="A stand-in for the test.")

    with mock.patch.object(projector_ui, "compute", compute):
        yield


def widgets(at: AppTest) -> dict:
    found = {}
    for kind in WIDGET_KINDS:
        for widget in at.get(kind):
            if widget.key and not widget.key.startswith("$$"):
                found.setdefault(widget.key, widget)
    return found


def label(widget) -> str:
    """The value as the URL spells it: an option's label, else the value as text."""
    if isinstance(widget, ButtonGroup):
        return widget.formatted_values[0] if widget.formatted_values else ""
    if isinstance(widget, (Selectbox, Radio)):
        return widget.options[widget.index] if widget.index is not None else ""
    return str(widget.value)


def resolved(at: AppTest, key: str, query: dict):
    """What a context key ended up as: its widget's label, a tab's state, or else what the link said."""
    found = widgets(at)
    if key in found:
        return label(found[key])
    if key in at.session_state:
        return at.session_state[key]
    value = query.get(key)
    return tuple(value) if isinstance(value, list) else value  # hashable, for the cache of clean pages


@functools.cache
def clean_widgets(page_name: str, context: tuple) -> dict:
    """{key: value} of a page opened with only its context in the link: the defaults in that context."""
    at = open_page(
        PAGES[page_name], {key: list(value) if isinstance(value, tuple) else value for key, value in context}
    )
    assert not at.exception
    return {key: widget.value for key, widget in widgets(at).items()}


def as_list(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def number(text: str) -> float | None:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def asked_for(widget, requested: list[str]) -> bool:
    value = widget.value
    if isinstance(widget, (Slider, NumberInput)):  # snapped to the widget's step, as 3.2 becomes 3 for an int
        return any(number(r) is not None and abs(number(r) - value) < (widget.step or 1) for r in requested)
    if isinstance(widget, (TextInput, TextArea)):
        return any(r.startswith(value) for r in requested)  # up to the field's max_chars
    return label(widget) in requested or str(value) in requested


def assert_sane(widget, default, requested: list[str]) -> None:
    """In range, and the default or what the link asked for."""
    value = widget.value
    if isinstance(widget, (Slider, NumberInput)):
        assert widget.min <= value <= widget.max, f"{widget.key} = {value} outside [{widget.min}, {widget.max}]"
    elif isinstance(widget, SelectSlider):
        assert str(value) in widget.options
    elif isinstance(widget, (Selectbox, Radio)):
        assert widget.index is not None and widget.options[widget.index] == label(widget)
    elif isinstance(widget, ButtonGroup):  # Streamlit lets an empty ?method= unselect even a required one
        assert label(widget) in widget.options or (label(widget) == "" and "" in requested)
    elif isinstance(widget, (TextInput, TextArea)):
        assert isinstance(value, str) and (not widget.max_chars or len(value) <= widget.max_chars)
    elif isinstance(widget, Toggle):
        assert isinstance(value, bool)
        return
    if default is not MISSING:
        assert value == default or asked_for(widget, requested), (
            f"{widget.key} = {value!r}: neither its default {default!r} nor what the link asked for {requested!r}"
        )


@st.composite
def links(draw, page_name: str) -> dict:
    """A URL query for a page: some of its widget keys and hidden keys, each with hostile or plausible values."""
    page = PAGES[page_name]
    shown = widgets(first_screen(page_name))
    keys = sorted(shown) + list(page.hidden_keys)

    def values_for(key: str):
        plausible = list(page.hidden_values.get(key, []))
        widget = shown.get(key)
        if isinstance(widget, (Selectbox, Radio, SelectSlider)):
            plausible += list(widget.options)
        if isinstance(widget, (Slider, NumberInput)):
            low, high, step = widget.min, widget.max, widget.step or 1
            plausible += [str(v) for v in (low, high, low - step, high + step, (low + high) / 2, int(high) + 1)]
        return st.one_of(
            st.sampled_from(HOSTILE), st.text(max_size=20), *([st.sampled_from(plausible)] if plausible else [])
        )

    chosen = draw(st.lists(st.sampled_from(keys), unique=True, min_size=1, max_size=12))
    query = {key: draw(st.one_of(values_for(key), st.lists(values_for(key), min_size=2, max_size=3))) for key in chosen}
    if draw(st.booleans()):
        query[draw(st.text(min_size=1, max_size=8))] = draw(st.sampled_from(HOSTILE))
    return query


@functools.cache
def first_screen(page_name: str) -> AppTest:
    return open_page(PAGES[page_name], {})


def check_page(page_name: str, query: dict) -> AppTest:
    """Open the page with `query`: no traceback, every error a sentence, every widget sane."""
    page = PAGES[page_name]
    at = open_page(page, query)
    assert not at.exception, [line for e in at.exception for line in e.stack_trace[-3:]]
    assert at.title and at.title[0].value
    for error in at.error:
        assert_sentence(error.value)
    context = tuple((key, resolved(at, key, query)) for key in page.context if resolved(at, key, query) is not None)
    defaults = clean_widgets(page_name, context)
    for key, widget in widgets(at).items():
        assert_sane(widget, defaults.get(key, MISSING), as_list(query.get(key, [])))
    live = live_data(at)  # sliders drawn in the browser: every value a number in its slider's range
    for slider in live["sliders"] if live else []:
        value = live["values"][slider["id"]]
        assert math.isfinite(value) and slider["min"] <= value <= slider["max"], (slider["id"], value)
    for warning in at.warning:
        assert_sentence(warning.value)
    return at


def image_captions(at: AppTest) -> list[str]:
    return [img.caption for image in at.get("image") for img in image.proto.imgs]


def manifest(name: str) -> dict:
    return json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text(encoding="utf-8"))


# Hostile links, page by page -------------------------------------------------------------------


@PAGES_SETTINGS
@given(links("home"))
def test_any_link_to_the_app_opens_the_home_page(query):
    at = check_page("home", query)
    assert "Latent Explorer" in at.title[0].value and at.get("image"), "the title and the latent-plane picture"


@PAGES_SETTINGS
@given(links("vae"))
@example({"section": "Autoencoder vs VAE", "compare_seed": "inf"})
@example({"model": "mnist-vae-16d", "section": "Start from an example", "example": ["1e999", "3"], "z3": "nan"})
def test_any_link_to_the_vae_page_draws_a_digit(query):
    at = check_page("vae", query)
    live = live_data(at)
    assert "decoded image" in image_captions(at) or (live and live["caption"] == "decoded image") or at.error


@PAGES_SETTINGS
@given(links("gan"))
@example({"directions_shown": "inf", "seed": "-1", "section": "Interpolate", "from_seed": "-Infinity"})
@example({"model": "emoji-gan", "to_seed": "1e999", "d1": "1e999", "names": "1:x"})
def test_any_link_to_the_gan_page_draws_an_image(query):
    at = check_page("gan", query)
    assert at.get("image") or at.error


@PAGES_SETTINGS
@given(links("text"))
@example({"text_seed": "inf", "top_k": "-inf", "length": "1e999"})
def test_any_link_to_the_text_page_offers_a_prompt(query):
    at = check_page("text", query)
    assert at.text_area(key="prompt").value is not None and at.button(key="generate")


@PAGES_SETTINGS
@given(links("projector"))
@example({"point": "1e999", "projection_seed": "inf", "method": "UMAP"})
@example({"method": "t-SNE", "learning_rate": "-inf", "perplexity": "1e999"})
def test_any_link_to_the_projector_draws_a_map_or_says_why_not(query):
    at = check_page("projector", query)
    assert at.get("plotly_chart") or at.error or at.info
    for params in STAND_INS:
        check_params(params)
    STAND_INS.clear()


# Prompts and generation --------------------------------------------------------------------------


@PAGES_SETTINGS
@given(
    st.one_of(
        st.text(max_size=300),
        st.sampled_from(["", "\x00" * 50, "😀" * 100, "ROMEO:\r\n" * 100, "\u202e<b>x</b>", "```\n" * 10]),
    )
)
def test_any_prompt_in_a_link_is_written_on_from_known_characters(prompt):
    at = check_page("text", {"prompt": prompt, "length": "20", "temperature": "0", "runtime": "server"})
    vocabulary = manifest(at.selectbox(key="model").value)["vocabulary"]
    dropped = {c for c in at.text_area(key="prompt").value if c not in vocabulary}
    notes = " ".join(info.value for info in at.info)
    assert not dropped or "does not know" in notes, "dropped characters are named"
    at.button(key="generate").click().run()
    assert not at.exception
    written = "".join(step.char for step in written_steps(at))
    assert len(written) == 20 and set(written) <= set(vocabulary)


# Uploads ---------------------------------------------------------------------------------------

name_characters = st.characters(exclude_characters="\x00/\\", exclude_categories=("Cs",))  # what a browser sends
upload_names = st.one_of(
    st.sampled_from(
        ["digit.png", "../../etc/passwd.png", "<b>x</b>.jpg", "a" * 200 + ".gif", "photo.JPEG", "scan.tiff"]
    ),
    st.text(name_characters, min_size=1, max_size=12).map(lambda name: name + ".png"),
)


@PAGES_SETTINGS
@given(
    st.one_of(uploaded_images().map(lambda upload: upload[0]), st.binary(max_size=512), sprite_images()),
    upload_names,
    st.sampled_from(["mnist-vae-2d", "mnist-vae-16d", "emoji-vae-16d"]),
)
def test_any_upload_on_the_vae_page_moves_the_sliders_or_gets_a_sentence(data, name, model):
    at = open_page(
        PAGES["vae"], {"model": model, "section": "Start from an example"}, {"example_source": "Upload your own"}
    )
    at.file_uploader(key="upload").set_value((name, data, "image/png")).run()
    assert not at.exception, [e.value for e in at.exception]
    if at.error:
        named = literal(f"{at.session_state['upload'].name}:")  # as Markdown shows it, character for character
        assert at.error[0].value.startswith(named), "the file is named"
        assert_sentence(at.error[0].value)
        return
    assert "what the model saw" in image_captions(at)
    for key, widget in widgets(at).items():
        if key[0] == "z" and key[1:].isdigit():
            assert -3.0 <= widget.value <= 3.0


ALLOWED = (".tsv", ".txt", ".json", ".png", ".jpg", ".jpeg", ".zip")  # the upload field refuses other names itself


@PAGES_SETTINGS
@given(
    uploads(),
    st.one_of(st.sampled_from(["", "28x28", "4×4", "0x0", "4x", "x", "99999x1", "-4x4", "٤x٤"]), st.text(max_size=12)),
)
def test_any_projector_upload_is_drawn_or_gets_a_sentence(files, sprite_size):
    files = {name: data for name, data in files.items() if name.lower().endswith(ALLOWED) and "/" not in name}
    at = open_page(PAGES["projector"], {"data": "Upload Projector files"})
    at.text_input(key="sprite_size").set_value(sprite_size)
    at.file_uploader(key="projector_files").set_value(
        [(name, data, "application/octet-stream") for name, data in files.items()]
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    for error in at.error:
        assert_sentence(error.value)
    assert at.get("plotly_chart") or at.error or (not files and at.info), "a map, or a sentence saying why not"


# Other sessions --------------------------------------------------------------------------------

NASTY_LINKS = [
    {
        "model": "../../etc/passwd",
        "z1": "nan",
        "z2": "1e999",
        "section": "<script>",
        "seed": "1" * 5000,
        "psi": "-inf",
        "directions_shown": "99999999999999999999",
        "d1": ["3", "-3", "x"],
        "names": "²:x",
        "data": "../checkpoints",
        "method": ["UMAP", "t-SNE"],
        "n_neighbors": "0",
        "perplexity": "nan",
        "point": "-1",
        "k": "1e9",
        "search": "(a+)+$",
        "search_regex": "true",
        "prompt": "\x00" * 100,
        "length": "-5",
        "temperature": "inf",
        "top_k": "²",
        "top_p": "0",
    },
    {
        "section": "Nearest training images",
        "seed": "4294967296",
        "method": "Custom",
        "left": "[",
        "right": "(",
        "axis_regex": "1",
        "data": "emoji-vae-16d",
        "three_d": "1",
        "pc_z": "9999",
        "model": "mnist-vae-16d",
    },
]


def first_picture(at: AppTest) -> str:
    charts = at.get("plotly_chart")
    return charts[0].proto.spec if charts else at.get("image")[0].proto.imgs[0].url


def test_hostile_links_leave_other_sessions_as_they_were():
    """Models, projections and embeddings are cached for all sessions: a hostile link must not change them."""
    before = {name: first_picture(open_page(page, {})) for name, page in PAGES.items() if name != "text"}  # no picture
    for query in NASTY_LINKS:  # whether each page survives them is the business of the tests above
        for page in PAGES.values():
            open_page(page, query)
    for name, picture in before.items():
        at = open_page(PAGES[name], {})
        assert not at.exception and not at.error
        assert first_picture(at) == picture, f"the {name} page looks different after hostile links"


def test_projections_a_link_asks_for_are_in_range_before_anything_runs():
    STAND_INS.clear()
    at = open_page(
        PAGES["projector"],
        {"method": "UMAP", "n_neighbors": "99999", "min_dist": "-1", "metric": "x", "projection_seed": "7"},
    )
    assert not at.exception
    assert STAND_INS, "the link's UMAP was asked for"
    for params in STAND_INS:
        check_params(params)
        assert params.n_neighbors == 15 and params.min_dist == 0.1 and params.metric == "euclidean"
        assert params.seed == 7
