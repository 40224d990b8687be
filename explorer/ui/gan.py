"""The GAN page's sections: seed, truncation and direction sliders; directions; interpolation;
the training timeline; nearest training images.

The page's sample is `seed` (text field), `psi` (truncation), direction offsets `d1..dK` (σ) and
raw offsets `dz1..dzD`: all widgets bound to the URL, as are the tabs' controls and the names
given to directions, so a link reopens the same view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.images import png_data_uri, tile
from explorer.maths import latent
from explorer.serving.models import ImageGenerator, class_name
from explorer.ui import live, presenter
from explorer.ui.common import literal, page_memory, short_name, show_image, strip_with_downloads, whole_number

SLIDER_LIMIT = 3.0  # direction and raw sliders run over ±3 σ
SLIDER_STEP = 0.1
DIRECTIONS_SHOWN = 6  # direction sliders shown by default (up to the shipped 20)
GRID_SAMPLES = 8  # other seeds shown beside the current sample
SWEEP_VALUES = np.linspace(-SLIDER_LIMIT, SLIDER_LIMIT, 7)
NEIGHBOURS = 8
NAMES_PARAM = "names"  # URL parameter with the directions' names: ?names=1:stroke+width&names=3:slant


def direction_key(index: int) -> str:
    return f"d{index + 1}"


def raw_key(dim: int) -> str:
    return f"dz{dim + 1}"


@dataclass
class GanMemory:
    """What the GAN page keeps between runs besides its widgets' values."""

    # Names people gave the directions, kept apart from the name fields, which exist only while
    # their tab is open; a link brings them in its `names` parameter.
    direction_names: dict | None = None
    class_problem: str | None = None  # a sentence about a class a link asked for, said once
    psi_of_page: float | None = None  # ψ at the page's last full run, which the tabs were drawn with


def memory() -> GanMemory:
    kept = page_memory(GanMemory)
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
    return memory().direction_names


def names_from_url(values: list[str]) -> dict:
    """{index: name} from "number:name" values (numbered from 1); anything else is ignored."""
    names = {}
    for value in values:
        number, _, name = value.partition(":")
        if number.isascii() and number.isdigit() and len(number) <= 3 and int(number) >= 1 and name.strip():
            names[int(number) - 1] = name.strip()[:40]
    return names


def _store_name(index: int) -> None:
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
    memory().psi_of_page = view.psi
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
        memory().class_problem = f"This model makes no class “{literal(asked[:40])}”; it makes {classes_named(model)}."
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
    problem, memory().class_problem = memory().class_problem, None
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
    if memory().psi_of_page not in (None, view.psi):  # ψ moved: every tab follows it
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


def directions_section(model: ImageGenerator, view: GanView) -> None:
    """What each direction does to the current sample, with a field to name it and a download."""
    presenter.explain(
        "Principal directions of the generator's first feature map over 5,000 random z, mapped "
        "back to z (GANSpace, Härkönen et al. 2020), most variance first. Each row moves the seed's "
        f"sample (without slider offsets) along one direction from −{SLIDER_LIMIT:.0f}σ to "
        f"+{SLIDER_LIMIT:.0f}σ. Give a direction a name and it becomes the slider's label.",
        label="About the directions",
    )
    z = view.seed_latent(model)
    example = "e.g. stroke width" if model.image_shape[-1] == 1 else "e.g. skin tone"
    for index in range(view.directions_shown):
        name, sweep = st.columns([1, 3], vertical_alignment="center")
        name.text_input(
            f"Name of direction {index + 1} ({model.directions.explained_variance[index]:.1%} var.)",
            direction_names().get(index, ""),
            key=f"name{index + 1}",
            placeholder=example,
            max_chars=40,
            on_change=_store_name,
            args=(index,),
        )
        steps = z + SWEEP_VALUES[:, None] * model.directions.vectors[index]
        with sweep:
            show_image(tile(model.generate(steps, view.label), len(SWEEP_VALUES)), pixels=70 * len(SWEEP_VALUES))
    st.download_button(
        "Download the directions as JSON",
        directions_json(model),
        f"{model.name}-directions.json",
        "application/json",
        key="download_directions",
        on_click="ignore",
        icon=":material/download:",
    )


def directions_json(model: ImageGenerator) -> str:
    directions = [
        {
            "index": index + 1,
            "name": direction_names().get(index) or None,
            "explained_variance": round(float(share), 5),
            "vector": [round(float(v), 6) for v in vector],
        }
        for index, (vector, share) in enumerate(zip(model.directions.vectors, model.directions.explained_variance))
    ]
    return json.dumps(
        {
            "model": model.name,
            "latent_dim": model.latent_dim,
            "units": "σ of z ~ N(0, I) per unit",
            "directions": directions,
        },
        indent=1,
    )


def interpolation_section(model: ImageGenerator, view: GanView) -> None:
    seed = view.seed
    ends = st.columns(2)
    start = whole_number(ends[0], "From seed", 0, latent.MAX_SEED, seed, key="from_seed")
    end = whole_number(ends[1], "To seed", 0, latent.MAX_SEED, min(seed + 1, latent.MAX_SEED), key="to_seed")
    settings = st.columns(2)
    frames = settings[0].slider("Frames", 3, 16, 8, key="frames", bind="query-params")
    method = settings[1].radio(
        "Path",
        ["spherical", "linear"],
        key="path",
        bind="query-params",
        horizontal=True,
        help="Spherical keeps every frame at the typical length of z ~ N(0, I); a linear "
        "path passes nearer the mean, where images look washed-out and alike.",
    )
    psi = view.psi
    path = latent.interpolate(model.latent_for(int(start), psi), model.latent_for(int(end), psi), frames, method)
    labels = view.label
    if model.conditional:  # between classes too: the one-hot class blends linearly along the path
        names = model.class_names
        classes = st.columns(2)
        first = classes[0].selectbox("From class", names, index=labels, key="from_class", bind="query-params")
        last = classes[1].selectbox("To class", names, index=labels, key="to_class", bind="query-params")
        weights = np.linspace(0.0, 1.0, frames)[:, None]
        one_hot = np.eye(len(names), dtype="float32")
        labels = (1 - weights) * one_hot[names.index(first)] + weights * one_hot[names.index(last)]
    strip_with_downloads(model.generate(path, labels), "download")


@st.fragment
def timeline_section(model: ImageGenerator, view: GanView) -> None:
    """What the generator made of the same latent vectors after each epoch, beside the losses."""
    from explorer.ui.plots import training_curves

    timeline = model.timeline()
    epochs = [int(e) for e in timeline["epochs"]]
    picture, curves = st.columns([2, 3], gap="large")
    with picture:
        epoch = st.select_slider("Epoch", epochs, value=epochs[-1], key="epoch", bind="query-params")
        at = epochs.index(epoch)
        frames = timeline["frames"][at]
        show_image(
            tile(frames, int(np.ceil(np.sqrt(len(frames))))),
            pixels=360,
            caption=f"{len(frames)} fixed latent vectors after epoch {epoch}",
        )
        verdicts = timeline.get("verdicts")  # None in checkpoints trained before verdicts were kept
        if verdicts is not None:
            st.caption(epoch_verdict_line(verdicts[at], epoch))
    with curves:
        history = model.checkpoint.training["history"]
        noise = None if verdicts is None else {"epochs": epochs, "noise": verdicts[:, 2].mean(axis=1)}
        st.plotly_chart(
            presenter.sized(training_curves(history, epoch, noise)), key="curves", config={"displayModeBar": False}
        )
    presenter.explain(
        "The discriminator (D) learns to tell training images from generated ones; the generator (G) "
        "learns to make D say “real”. D's loss stays high and its scores near ½ when the two are "
        "matched; when D wins outright, G's loss climbs. Each epoch's D also scored the same pictures "
        "(these samples, 16 training images, 16 noise images): samples and training images meet near "
        "½ as the generator catches up, and what D says of noise, which it is never shown, tells what "
        "it has learnt to look for.",
        label="About the curves",
    )


def epoch_verdict_line(verdicts: np.ndarray, epoch: int) -> str:
    """One line: epoch `epoch`'s D on the timeline's samples, the fixed training images and noise,
    from the (3, n) scores training recorded (NaN where a resumed run had not recorded them yet)."""
    if np.isnan(verdicts).all():
        return f"Epoch {epoch}'s discriminator was not recorded (the run began before verdicts were kept)."
    samples, real, noise = (f"{np.nanmean(row):.0%}" for row in verdicts)
    return f"Epoch {epoch}'s discriminator: these samples {samples} real · training images {real} · noise {noise}"


VERDICT_EXAMPLES = 6  # real training images and noise images the discriminator's verdict is shown for


def discriminator_section(model: ImageGenerator, view: GanView) -> None:
    """What the discriminator says about the picture on screen, beside real training images and noise."""
    presenter.explain(
        "The discriminator D learnt, beside the generator, to tell training images (1: real) from the "
        "generator's pictures (0: made); the generator learnt by making D say “real”. If the "
        "generator's pictures could not be told from training images, the best D could do is guess: "
        "½ for every picture. A perfect generator drives it there. It was never shown noise: what it "
        "says of noise shows only what it learnt to look for.",
        label="About the discriminator",
    )
    if model.discriminator is None:
        st.info(
            "This model's discriminator was not kept when it was trained; GANs trained since keep it "
            "(`python -m explorer train gan` writes `discriminator.tflite`).",
            icon=":material/info:",
        )
        return
    sample = view.sample(model)
    rng = np.random.default_rng(0)
    picked = rng.choice(len(model.training_images.images), VERDICT_EXAMPLES, replace=False)
    real = model.training_images.images[picked]
    # A conditional D asks "a real 7?": each real image is asked about its own class.
    real_labels = model.training_images.classes_of(picked) if model.conditional else None
    noise = rng.integers(0, 256, (VERDICT_EXAMPLES, *model.image_shape), dtype=np.uint8)
    score = float(model.verdict(sample, view.label)[0])
    columns = st.columns([1, 4], gap="large")
    with columns[0]:
        show_image(sample[0], caption=f"current sample: {score:.0%} real", pixels=160)
    with columns[1]:
        for label, images, scores in (
            ("training images", real, model.verdict(real, real_labels)),
            ("noise", noise, model.verdict(noise, view.label)),
        ):
            names = (  # "54% real" stays one piece: a line may break only after the class
                [f"{short_name(model.class_names[c])} " for c in real_labels]
                if label == "training images" and model.conditional
                else [""] * len(images)
            )
            st.image(
                [png_data_uri(image) for image in images],
                width=presenter.image_pixels(100),
                caption=[f"{name}{s:.0%}\u00a0real" for name, s in zip(names, scores)],
            )
            st.caption(f"{label.capitalize()}: D says {np.mean(scores):.0%} real on average.")


def neighbours_section(model: ImageGenerator, view: GanView) -> None:
    """The training images nearest the current sample in pixels, and whether it is a copy of one."""
    sample = view.sample(model)
    images = model.training_images
    order, distance = images.nearest(sample, NEIGHBOURS)
    columns = st.columns([1, 4], gap="large")
    with columns[0]:
        show_image(sample[0], caption="current sample", pixels=160)
        verdict = images.classify(sample)
        if verdict:
            st.caption(verdict)
    with columns[1]:
        st.image(
            [png_data_uri(images.images[i]) for i in order[0]],
            width=presenter.image_pixels(110),
            caption=[f"distance {d:.2f}" for d in distance[0]],
        )
        st.markdown(copy_verdict(float(distance[0, 0]), images.copy_scale) + single_image_note(model, view))
    presenter.explain(
        f"The {NEIGHBOURS} nearest of the {len(images.images):,} training images, by the root mean square "
        "of their pixels' differences: 0 is the same picture, 1 black against white. A GAN that copies "
        "draws samples at about 0 from a training image; one that learnt the data's regularities draws "
        "new images, as far from their nearest training image as training images are from each other.",
        label="About the nearest images",
    )


# A sample's distance to its nearest training image, against how far a training image lies from its
# nearest other one: below the first share it is as close as a copy; below the second, closer than
# nearly all training images are to each other.
COPY_SHARES = (0.25, 0.6)


def copy_verdict(nearest: float, scale: float) -> str:
    """Whether a sample at `nearest` from its nearest training image copies it, read against `scale`,
    how far a training image typically lies from its nearest other one."""
    said = (
        f"The nearest training image is at **{nearest:.2f}**; a training image's nearest other one is "
        f"typically at {scale:.2f}. "
    )
    if nearest < COPY_SHARES[0] * scale:
        return said + "This sample is as close as a copy."
    if nearest < COPY_SHARES[1] * scale:
        return said + "This sample is closer to it than nearly all training images are to each other: it may copy it."
    return said + "This sample is about as far from it as training images are from each other: a new image, not a copy."


def single_image_note(model: ImageGenerator, view: GanView) -> str:
    """For a generator shown its class's picture (`--class-picture`), a class of one training image."""
    labels = model.training_images.labels
    if not model.conditional or labels is None or not getattr(model.checkpoint.config, "class_picture", 0):
        return ""
    if int((labels == view.label).sum()) != 1:
        return ""
    return (
        f" {literal(model.class_names[view.label])} has a single training image, and the generator is shown"
        " that image as its class's picture: it draws this class close to it by design."
    )
