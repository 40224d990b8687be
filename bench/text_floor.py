"""The floor for slider latency: the /vae page itself with its decoded image left out.

Everything else is the real page (sliders, sections, sidebar), and a slider move still changes the
text "z = [...]" under where the image would be; so this is the same Streamlit round trip, only
printing text. Run by `python -m tools bench` as the script of its own server.
"""

import runpy
from pathlib import Path

import streamlit as st

from explorer.ui import common, vae

ROOT = Path(__file__).resolve().parent.parent
draw_image = vae.show_image


def show_image_except_the_decoded_one(image, caption=None, pixels=common.DISPLAY_PIXELS):
    if caption != "decoded image":
        draw_image(image, caption, pixels)


vae.show_image = show_image_except_the_decoded_one
st.set_page_config(layout="wide")
common.use_crisp_images()
runpy.run_path(str(ROOT / "app_pages" / "vae.py"), run_name="__main__")
