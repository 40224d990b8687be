"""Home page: what each page of Latent Explorer lets you explore."""

import streamlit as st

from explorer.ui.common import home_picture
from explorer.ui.presenter import explain, is_on

PAGES = [  # (page, link label, icon, what it lets you do)
    (
        "app_pages/vae.py",
        "Open the VAE explorer",
        ":material/tune:",
        "**VAE** — one slider per latent dimension of a variational autoencoder trained on "
        "handwritten digits. Drag a slider and the digit morphs; start from a digit or your own "
        "image; interpolate between two; see the whole 2-d latent plane as a map; and see why a "
        "plain autoencoder's latent space cannot be sampled while a VAE's can.",
    ),
    (
        "app_pages/gan.py",
        "Open the GAN explorer",
        ":material/auto_awesome:",
        "**GAN** — a generator trained against a discriminator, on digits and on colour emoji. Pick a "
        "seed, steer along the directions in which its images change most (and name them), "
        "interpolate between seeds, replay its training epoch by epoch, and check that it is not "
        "copying its training images.",
    ),
    (
        "app_pages/projector.py",
        "Open the Projector",
        ":material/scatter_plot:",
        "**Projector** — every digit's and every emoji's latent vector at once, in PCA, UMAP or t-SNE, "
        "2-D or 3-D, like projector.tensorflow.org: colour by label, search, click a point to see its "
        "nearest neighbours, open it in the VAE page, or bring your own Projector files.",
    ),
    (
        "app_pages/text.py",
        "Open the Text generator",
        ":material/edit_note:",
        "**Text** — a character-level recurrent network trained on Shakespeare writes one character at a "
        "time as you watch. Turn the temperature up or down, see how probable each character was, and "
        "compare temperatures side by side.",
    ),
]

st.title("Latent Explorer")
st.markdown(
    "Small generative models turn a handful of numbers, a **latent vector**, into an image or a "
    "text. This app lets you hold those numbers in your hands."
)
# In presenter mode the picture gets half the width and the page descriptions fold into one "About".
picture, text = st.columns([1, 1] if is_on() else [2, 3], gap="large")
with picture:
    home_picture()
with text:
    for page, label, icon, description in PAGES:
        if not is_on():
            st.markdown(description)
        st.page_link(page, label=label, icon=icon)
    if is_on():
        explain("\n\n".join(description for *_, description in PAGES), label="About these pages")
explain(
    "Every view keeps its state in the URL: copy the address bar to share exactly what you see.",
    label="About sharing a view",
)
