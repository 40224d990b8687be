"""Presenter mode: type, images and charts large enough for a shared screen, explanations folded away.

One sidebar toggle, made by `streamlit_app.py` before any page runs and bound to the URL, so
`?presenter=true` on any page's address opens it in presenter mode, and every page's address
carries the flag while it is on. Pages write their explanations with `explain`, size images
with `image_pixels` (through `explorer.ui.common.show_image`) and charts with `sized`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    import plotly.graph_objects as go

KEY = "presenter"  # the toggle's key and URL parameter: ?presenter=true
TYPE_PX = 20  # root font size when on (Streamlit's is 16): text, labels and spacing are in rem
IMAGE_SCALE = 1.5  # model images when on: the 320 px sample becomes 480 px
CHART_FONT_PX = 18  # plotly text when on: titles, ticks, legends (12 otherwise)
CHART_SCALE = 1.2  # chart heights when on, so the larger text keeps its room

# Streamlit sizes type and spacing in rem, so one root size scales text, widget labels, captions,
# buttons and tabs together. Titles stay near their usual 44 px (the screen's height is better spent
# on the models), and the wide page padding shrinks, leaving the width to larger images.
STYLE = f"""<style>
html {{ font-size: {TYPE_PX}px; }}
h1 {{ font-size: 2.4rem !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 2.5rem 2.5rem 5rem; }}
</style>"""


def toggle() -> bool:
    """The sidebar toggle, and the presenter styles while it is on. Call once per run, before the page."""
    on = st.sidebar.toggle(
        "Presenter mode",
        key=KEY,
        bind="query-params",
        help="Larger type and images for a shared screen; explanations fold into "
        "“About” sections. The page's address keeps the mode: share it as it is.",
    )
    if on:
        st.html(STYLE)
    return on


def is_on() -> bool:
    """Whether presenter mode is on in this session (the toggle in the entry file decides)."""
    return bool(st.session_state.get(KEY, False))


def explain(text: str, label: str = "About this page", caption: bool = True) -> None:
    """Explanation for someone reading alone: shown as it is (a caption, or body text with
    `caption=False`); in presenter mode folded into a closed expander, since the presenter says it."""
    if not is_on():
        (st.caption if caption else st.markdown)(text)
        return
    with st.expander(label, icon=":material/info:"):
        st.markdown(text)


def image_pixels(pixels: int | str) -> int | str:
    """The on-screen width for an image `pixels` wide in normal mode; "stretch" and "content" stay."""
    if isinstance(pixels, str) or not is_on():
        return pixels
    return round(pixels * IMAGE_SCALE)


def sized(figure: go.Figure) -> go.Figure:
    """A plotly figure with larger text and height in presenter mode; unchanged otherwise."""
    if is_on():
        # Streamlit's chart theme and subplot titles set their own sizes, so each is set here.
        figure.update_layout(font_size=CHART_FONT_PX, legend_font_size=CHART_FONT_PX)
        figure.update_xaxes(tickfont_size=CHART_FONT_PX)
        figure.update_yaxes(tickfont_size=CHART_FONT_PX)
        figure.update_annotations(font_size=CHART_FONT_PX)
        if figure.layout.height:
            figure.update_layout(height=round(figure.layout.height * CHART_SCALE))
    return figure
