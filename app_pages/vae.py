"""VAE page: drag through a latent space, start from a digit or your own image, interpolate."""

import streamlit as st

from explorer.ui import vae, vae_blends, vae_plane
from explorer.ui.common import model_picker, open_tab
from explorer.ui.presenter import explain

st.title("VAE: walk through a latent space")
explain(
    "A variational autoencoder squeezes each image into a few numbers z and learns to draw "
    "an image back from any z. Move the sliders and watch what each number controls."
)

checkpoint, model = model_picker(("vae",))

st.sidebar.caption(vae.heldout_line(checkpoint.metrics.get("heldout", {}), model.latent_dim))

vae_plane.sliders_beside_the_plane(model)
sections = {
    "Start from an example": vae.example_section,
    "Interpolate": vae.interpolation_section,
    "Between distributions": vae_blends.distributions_section,
    "Blend inputs": vae_blends.blend_section,
}
if vae.matching_autoencoder(model) is not None:  # a plain autoencoder of the same size and data is shipped
    sections["Autoencoder vs VAE"] = vae.ae_versus_vae_section
open_tab(sections, "section", model, page="vae")
