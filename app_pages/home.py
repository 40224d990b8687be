"""Home page: what each page of Latent Explorer lets you explore."""

import streamlit as st

from explorer.ui.common import home_picture

st.title("Latent Explorer")
st.markdown(
    "Small generative models turn a handful of numbers, a **latent vector**, into an image or a "
    "text. This app lets you hold those numbers in your hands."
)
picture, text = st.columns([2, 3], gap="large")
with picture:
    home_picture()
with text:
    st.markdown(
        "**VAE** — one slider per latent dimension of a variational autoencoder trained on "
        "handwritten digits. Drag a slider and the digit morphs; start from a digit or your own "
        "image; interpolate between two; see the whole 2-d latent plane as a map; and see why a "
        "plain autoencoder's latent space cannot be sampled while a VAE's can."
    )
    st.page_link("app_pages/vae.py", label="Open the VAE explorer", icon=":material/tune:")
    st.markdown(
        "**GAN** — a generator trained against a discriminator, on digits and on colour emoji. Pick a "
        "seed, steer along the directions in which its images change most (and name them), "
        "interpolate between seeds, replay its training epoch by epoch, and check that it is not "
        "copying its training images."
    )
    st.page_link("app_pages/gan.py", label="Open the GAN explorer", icon=":material/auto_awesome:")
    st.markdown(
        "**Projector** — every digit's and every emoji's latent vector at once, in PCA, UMAP or t-SNE, "
        "2-D or 3-D, like projector.tensorflow.org: colour by label, search, click a point to see its "
        "nearest neighbours, open it in the VAE page, or bring your own Projector files."
    )
    st.page_link("app_pages/projector.py", label="Open the Projector", icon=":material/scatter_plot:")
    st.markdown(
        "**Text** — a character-level recurrent network trained on Shakespeare writes one character at a "
        "time as you watch. Turn the temperature up or down, see how probable each character was, and "
        "compare temperatures side by side."
    )
    st.page_link("app_pages/text.py", label="Open the Text generator", icon=":material/edit_note:")
st.caption("Every view keeps its state in the URL: copy the address bar to share exactly what you see.")
