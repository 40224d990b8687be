"""The GAN page's sections: seed, truncation and direction sliders; directions; interpolation;
the training timeline; nearest training images.

The page's sample is `seed` (text field), `psi` (truncation), direction offsets `d1..dK` (σ) and
raw offsets `dz1..dzD`: all widgets bound to the URL, as are the tabs' controls and the names
given to directions, so a link reopens the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.images import tile
from explorer.maths import latent
from explorer.serving.models import ImageGenerator, class_name
from explorer.ui import live, presenter
from explorer.ui.common import SLIDER_LIMIT, SLIDER_STEP, literal, session_object, show_image, whole_number

DIRECTIONS_SHOWN = 6  # direction sliders shown by default (up to the shipped 20)
GRID_SAMPLES = 8  # other seeds shown beside the current sample
NAMES_PARAM = "names"  # URL parameter with the directions' names: ?names=1:stroke+width&names=3:slant


def direction_key(index: int) -> str:
    return f"d{index + 1}"


def raw_key(dim: int) -> str:
    return f"dz{dim + 1}"


@dataclass
class GanPageState:
    """What the GAN page keeps between runs besides its widgets' values."""

    # Names people gave the directions, kept apart from the name fields, which exist only while
    # their tab is open; a link brings them in its `names` parameter.
    direction_names: dict | None = None
    class_problem: str | None = None  # a sentence about a class a link asked for, said once
    psi_of_page: float | None = None  # ψ at the page's last full run, which the tabs were drawn with


def page_state() -> GanPageState:
    kept = session_object(GanPageState)
    if kept.direction_names is None:
        kept.direction_names = names_from_url(st.query_params.get_all(NAMES_PARAM))
    return kept


@dataclass(frozen=True)
class GanView:
    """The sample the page's widgets describe, read once per run after they are drawn. Their keys
    are the link's parameters: seed, psi, d1..dK, dz1..dzD, directions_shown, show_raw, class."""

    seed: int
    seed_problem: str | None  # what is wrong with the seed field's text (seed 0 is shown meanwhile)
    psi: float
    offsets: tuple  # σ along each direction
    shift: tuple  # added to each raw dimension of z
    directions_shown: int
    show_raw: bool
    label: int | None  # the picked class of a conditional GAN; None for an unconditional one

    @classmethod
    def read(cls, model: ImageGenerator) -> GanView:
        state = st.session_state
        try:
            seed, problem = latent.parse_seed(state.get("seed", "0")), None
        except latent.SeedError as error:
            seed, problem = 0, f"{literal(error)} Showing seed 0 until it is."
        count = len(model.directions.vectors)
        label = None
        if model.conditional:
            name = state.get(CLASS_KEY) or model.default_class
            label = model.class_names.index(name if name in model.class_names else model.default_class)
        return cls(
            seed=seed,
            seed_problem=problem,
            psi=float(state.get(PSI.id, PSI.default)),
            offsets=tuple(state.get(direction_key(i), 0.0) for i in range(count)),
            shift=tuple(state.get(raw_key(d), 0.0) for d in range(model.latent_dim)),
            directions_shown=min(int(state.get("directions_shown", DIRECTIONS_SHOWN)), count),
            show_raw=bool(state.get("show_raw", st.query_params.get("show_raw") == "true")),
            label=label,
        )

    def latent(self, model: ImageGenerator) -> np.ndarray:
        """The sample's z: the seed's, scaled by ψ, moved by the sliders."""
        return model.latent_for(self.seed, self.psi, self.offsets, self.shift)

    def seed_latent(self, model: ImageGenerator) -> np.ndarray:
        """The seed's z scaled by ψ, without the sliders' moves."""
        return model.latent_for(self.seed, self.psi)

    def sample(self, model: ImageGenerator) -> np.ndarray:
        return model.generate(self.latent(model), self.label)


def direction_names() -> dict:
    return page_state().direction_names


def names_from_url(values: list[str]) -> dict:
    """{index: name} from "number:name" values (numbered from 1); anything else is ignored."""
    names = {}
    for value in values:
        number, _, name = value.partition(":")
        if number.isascii() and number.isdigit() and len(number) <= 3 and int(number) >= 1 and name.strip():
            names[int(number) - 1] = name.strip()[:40]
    return names


def store_name(index: int) -> None:
    names = direction_names()
    names[index] = st.session_state[f"name{index + 1}"].strip()[:40]
    listed = [f"{i + 1}:{name}" for i, name in sorted(names.items()) if name]
    if listed:
        st.query_params[NAMES_PARAM] = listed
    else:
        st.query_params.pop(NAMES_PARAM, None)


def direction_name(model: ImageGenerator, index: int, markdown: bool = True) -> str:
    """The direction's label; as Markdown (a name from a link shown as typed) or as plain text."""
    named = direction_names().get(index, "")
    share = model.directions.explained_variance[index]
    return f"{(literal(named) if markdown else named) or f'Direction {index + 1}'} ({share:.0%} var.)"


def _new_random_seed() -> None:
    st.session_state["seed"] = str(int(np.random.default_rng().integers(0, 100_000)))


def _reset_offsets(model: ImageGenerator) -> None:
    for index in range(len(model.directions.vectors)):
        st.session_state[direction_key(index)] = 0.0
    for dim in range(model.latent_dim):
        st.session_state[raw_key(dim)] = 0.0


def seed_controls(model: ImageGenerator) -> GanView:
    """Seed, how many directions and the class: changing one reruns the whole page, so every tab
    follows. Returns the page's view, which the tabs are drawn from."""
    row = st.columns([3, 3, 2, 4], vertical_alignment="bottom", gap="medium")
    row[0].text_input(
        "Seed",
        "0",
        key="seed",
        bind="query-params",
        max_chars=40,
        help="Any whole number: the same seed always gives the same z ~ N(0, I).",
    )
    row[1].button("New random", icon=":material/casino:", key="new_seed", on_click=_new_random_seed)
    count = len(model.directions.vectors)
    whole_number(
        row[2],
        "Directions",
        1,
        count,
        min(DIRECTIONS_SHOWN, count),
        key="directions_shown",
        help="How many of the directions, most variance first, get a slider (and a row in the Directions tab).",
    )
    seed_problem = GanView.read(model).seed_problem
    if seed_problem:
        st.error(seed_problem, icon=":material/error:")
    class_picker(model)
    view = GanView.read(model)
    page_state().psi_of_page = view.psi
    return view


CLASS_KEY = "class"  # the class picker's key and URL parameter: /gan?model=mnist-cgan&class=7
CLASS_LETTERS_IN_ONE_ROW = 60  # class names longer together than this are picked from a list


def class_picker(model: ImageGenerator) -> None:
    """A conditional GAN's class ("make me a 7"): the seed's z, so its style, stays as the class changes."""
    if not model.conditional:
        return
    asked = st.query_params.get(CLASS_KEY)
    if asked is not None and asked not in model.class_names and class_name(asked) in model.class_names:
        asked = st.query_params[CLASS_KEY] = class_name(asked)  # a link from before names had one style
    if asked is not None and asked not in model.class_names:  # Streamlit would drop it without a word
        st.query_params.pop(CLASS_KEY)
        page_state().class_problem = (
            f"This model makes no class “{literal(asked[:40])}”; it makes {classes_named(model)}."
        )
    about = "What the generator is asked to make. The seed, and so the style, stays."
    names = model.class_names
    if sum(len(name) for name in names) <= CLASS_LETTERS_IN_ONE_ROW:  # digits: one click each
        st.segmented_control(
            "Class", names, default=model.default_class, key=CLASS_KEY, bind="query-params", required=True, help=about
        )
    else:  # emoji's ten categories would take two rows and push the pictures below a 720-pixel screen
        st.selectbox(
            "Class", names, index=names.index(model.default_class), key=CLASS_KEY, bind="query-params", help=about
        )
    problem, page_state().class_problem = page_state().class_problem, None
    if problem:
        st.warning(problem, icon=":material/warning:")


CLASSES_NAMED = 12  # a link's unknown class is answered with the classes, or this many and a count


def classes_named(model: ImageGenerator) -> str:
    """The classes a model makes, for a sentence: all of a few, or some and how many (emoji: 1,743)."""
    names = model.class_names
    if len(names) <= CLASSES_NAMED:
        return ", ".join(names)
    return f"{len(names):,} classes (pick one from the Class list), such as {', '.join(names[:2])} and {names[2]}"


def sample_section(model: ImageGenerator) -> None:
    """Direction sliders beside the sample and the same offsets applied to other seeds.

    In the browser (explorer/ui/live.py) the sample follows a drag frame by frame, ψ and the raw z
    sliders included; on the server it follows each release. The other seeds follow the release."""
    if live.enabled():
        left, right = st.columns([5, 1] if presenter.is_on() else [4, 1], gap="medium")
        with left:
            live_view(model, GanView.read(model))
        others = right
    else:
        live.explain_fallback()
        others = server_view(model, GanView.read(model))
    view = GanView.read(model)  # the sliders as this run left them
    if page_state().psi_of_page not in (None, view.psi):  # ψ moved: every tab follows it
        st.rerun()
    seed = view.seed
    grid_z = np.stack([model.latent_for(seed + 1 + i, view.psi) for i in range(GRID_SAMPLES)])
    images = model.generate(grid_z + view.latent(model) - view.seed_latent(model), view.label)
    with others:
        show_image(
            tile(images, 2),
            pixels=160,
            on_screen="other_seeds",
            caption=f"seeds {seed + 1}–{seed + GRID_SAMPLES}, moved alike",
        )
    if not live.enabled():
        raw_sliders(model)


# A slider move reruns only this fragment, unless an open tab shows the moved sample (see the page).
sample_fragment = st.fragment(sample_section)


PSI = live.Slider(
    "psi",
    "Truncation ψ",
    0.0,
    1.5,
    0.05,
    default=1.0,
    help="Scales z towards the mean of N(0, I): below 1, safer and more typical images; "
    "above 1, stranger ones. 0 gives the average image.",
)


def sample_sliders(model: ImageGenerator, view: GanView, raw: bool) -> list[live.Slider]:
    """ψ, one slider per shown direction and, on request, one per raw dimension of z."""
    sliders = [PSI]
    for index in range(view.directions_shown):
        sliders.append(
            live.Slider(
                direction_key(index),
                direction_name(model, index, markdown=False),  # the page sets it as text, never as HTML
                -SLIDER_LIMIT,
                SLIDER_LIMIT,
                SLIDER_STEP,
                vector=list(model.directions.vectors[index]),
                unit=" σ",
            )
        )
    if raw:
        identity = np.eye(model.latent_dim, dtype="float32")
        sliders += [
            live.Slider(raw_key(d), f"Δz{d + 1}", -SLIDER_LIMIT, SLIDER_LIMIT, SLIDER_STEP, vector=list(identity[d]))
            for d in range(model.latent_dim)
        ]
    return sliders


def open_section() -> str | None:
    """The page's open tab, from its widget or, on arrival, from the link."""
    return st.session_state.get("section", st.query_params.get("section"))


def judged_live(model: ImageGenerator) -> bool:
    """The picture is judged in the page only with the Discriminator tab open: the discriminator is
    as large as the generator (1.3 MB for emoji-gan), and a visit that never looks at it should not
    download it (every first visit stays under 5 MB)."""
    return model.discriminator is not None and open_section() == "Discriminator"


def live_view(model: ImageGenerator, view: GanView) -> None:
    """The sample, drawn in the browser from the seed's z (sent by the server, so that a seed is the
    same image everywhere), ψ times it, plus the sliders' moves; the class as a one-hot after z."""
    classes = len(model.class_names)
    suffix = latent.with_classes(np.zeros((1, 0)), view.label, classes)[0] if model.conditional else None
    live.live_sliders(
        "live_gan",
        model.checkpoint,
        "generator",
        model.image_shape,
        sample_sliders(model, view, view.show_raw),
        base=latent.sample_prior(1, model.latent_dim, view.seed)[0],
        suffix=suffix,
        scale=PSI.id,
        placeholder=view.sample(model)[0],
        pixels=300,
        caption=f"seed {view.seed}",
        judge=(view.label or 0) if judged_live(model) else None,
    )
    # Below the picture, so that on a short screen the picture stays in view.
    reset, toggle = st.columns([1, 3], vertical_alignment="center")
    reset.button("Reset sliders", icon=":material/restart_alt:", key="reset", on_click=_reset_offsets, args=(model,))
    with toggle:
        raw_toggle(model)


def server_view(model: ImageGenerator, view: GanView):
    """Streamlit's sliders, and the sample drawn on the server after each move; returns the column
    for the other seeds."""
    controls, picture = st.columns(2, gap="large")  # half the width: the sample and the other seeds beside it
    with controls:
        st.button("Reset sliders", icon=":material/restart_alt:", key="reset", on_click=_reset_offsets, args=(model,))
        live.server_slider(st, PSI)
        columns = st.columns(2)
        for index, slider in enumerate(sample_sliders(model, view, raw=False)[1:]):
            # Streamlit reads a label as Markdown: a name from a link is escaped there
            live.server_slider(columns[index % 2], slider, "%.1f σ", label=direction_name(model, index))
    view = GanView.read(model)  # as the sliders just drawn hold it
    with picture:  # the sample and, beside it, the other seeds: both above the fold of a 1280×720 screen
        sample, others = st.columns([2, 1], gap="small")
        with sample:
            image = view.sample(model)
            caption = f"seed {view.seed}, ψ = {view.psi:.2f}"
            if model.discriminator is not None:
                caption += f"; discriminator: {model.verdict(image, view.label)[0]:.0%} real"
            show_image(image[0], caption=caption, on_screen="sample")
    return others


def raw_toggle(model: ImageGenerator) -> bool:
    return st.toggle(
        f"Raw z dimensions ({model.latent_dim} sliders)",
        key="show_raw",
        bind="query-params",
        help="Offsets added to single coordinates of z. A GAN's raw dimensions rarely mean "
        "anything alone; the directions above were found to.",
    )


def raw_sliders(model: ImageGenerator) -> None:
    """One slider per z dimension, drawn only on request: 64 or 128 sliders slow every rerun."""
    if not raw_toggle(model):
        return
    columns = st.columns(4)
    for dim in range(model.latent_dim):
        columns[dim % 4].slider(
            f"Δz{dim + 1}",
            -SLIDER_LIMIT,
            SLIDER_LIMIT,
            0.0,
            SLIDER_STEP,
            key=raw_key(dim),
            bind="query-params",
            format="%.1f",
        )
