"""The GAN page's tabs below the sample: directions, interpolation, the training timeline, the
discriminator's verdicts, and the nearest training images (is the sample a copy?)."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from explorer.images import png_data_uri, tile
from explorer.maths import latent
from explorer.serving.models import ImageGenerator
from explorer.ui import presenter
from explorer.ui.common import (
    SLIDER_LIMIT,
    literal,
    path_settings,
    short_name,
    show_image,
    strip_with_downloads,
    whole_number,
)
from explorer.ui.gan import GanView, direction_names, store_name

SWEEP_VALUES = np.linspace(-SLIDER_LIMIT, SLIDER_LIMIT, 7)  # a direction's row: the sample from -3 to +3 sigma
NEIGHBOURS = 8  # nearest training images shown


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
            on_change=store_name,
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
    frames, method = path_settings(
        ["spherical", "linear"],
        "Spherical keeps every frame at the typical length of z ~ N(0, I); a linear "
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
