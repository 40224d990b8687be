"""GAN page: sample a generator, steer it along its principal directions, watch how it learnt."""

import streamlit as st

from explorer.ui import gan, gan_tabs
from explorer.ui.common import load_generator, model_picker, open_tab
from explorer.ui.presenter import explain

st.title("GAN: steer a generator")
explain(
    "A generator turns random numbers z into an image; it learnt by trying to fool a discriminator "
    "that was learning to tell its images from real ones. Pick a seed, then move along the "
    "directions in which its images change most."
)

checkpoint, model = model_picker(("gan",), load_generator)

metrics = checkpoint.metrics
if "fid" in metrics:
    st.sidebar.caption(
        f"{model.latent_dim}-d latent · FID {metrics['fid']:.1f} (real data against itself: "
        f"{metrics['fid_real_halves']:.1f}) in the project's classifier features"
    )

view = gan.seed_controls(model)
sections = {
    "Directions": gan_tabs.directions_section,
    "Interpolate": gan_tabs.interpolation_section,
    "Training timeline": gan_tabs.timeline_section,
    "Discriminator": gan_tabs.discriminator_section,
    "Nearest training images": gan_tabs.neighbours_section,
}
# The nearest images follow every slider move, so with that tab open a move reruns the whole page.
follows_sliders = gan.open_section() == "Nearest training images"
(gan.sample_section if follows_sliders else gan.sample_fragment)(model)
open_tab(sections, "section", model, view, page="gan")
