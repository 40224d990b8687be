"""Latent Explorer: the pages (st.navigation), their shared settings and styles. Served by
`streamlit run streamlit_app.py`, which adds the routes the in-browser models need."""

from pathlib import Path

import streamlit as st

from explorer.memory import release_free_memory
from explorer.ui import presenter
from explorer.ui.common import use_crisp_images

# The icon is a file of ours: a Material icon name made every browser fetch it from fonts.gstatic.com.
st.set_page_config(
    page_title="Latent Explorer", page_icon=str(Path(__file__).parent / "web" / "favicon.png"), layout="wide"
)
use_crisp_images()
presenter.toggle()  # before the page, so that every page sees it; bound to ?presenter=true

pages = [
    st.Page("app_pages/home.py", title="Home", icon=":material/explore:", default=True),
    st.Page("app_pages/vae.py", title="VAE", icon=":material/tune:", url_path="vae"),
    st.Page("app_pages/gan.py", title="GAN", icon=":material/auto_awesome:", url_path="gan"),
    st.Page("app_pages/projector.py", title="Projector", icon=":material/scatter_plot:", url_path="projector"),
    st.Page("app_pages/text.py", title="Text", icon=":material/edit_note:", url_path="text"),
]
try:
    st.navigation(pages).run()
finally:
    release_free_memory()  # what the page freed goes back to the system: see explorer/memory.py
