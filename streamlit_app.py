"""Latent Explorer: entry file. Run with `streamlit run streamlit_app.py`."""

import streamlit as st

from explorer.ui.common import use_crisp_images

st.set_page_config(page_title="Latent Explorer", page_icon=":material/explore:", layout="wide")
use_crisp_images()

pages = [
    st.Page("app_pages/home.py", title="Home", icon=":material/explore:", default=True),
    st.Page("app_pages/vae.py", title="VAE", icon=":material/tune:", url_path="vae"),
    st.Page("app_pages/gan.py", title="GAN", icon=":material/auto_awesome:", url_path="gan"),
    st.Page("app_pages/projector.py", title="Projector", icon=":material/scatter_plot:", url_path="projector"),
    st.Page("app_pages/text.py", title="Text", icon=":material/edit_note:", url_path="text"),
]
st.navigation(pages).run()
