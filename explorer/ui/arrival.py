"""A link that names a tab opens with that tab in view: `/vae?section=Interpolate` scrolls to it.

The tabs sit below the sliders and the image, under the fold of a 1280×720 shared screen, so a
prepared link to a section would otherwise open on the sliders. Only the first visit to a page in
a session scrolls: after that, the person moving around the page decides where it is.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function ({ data }) {
  // The tabs are drawn after this component: look for them for a few seconds, then scroll once.
  const deadline = Date.now() + 10000;
  const timer = setInterval(() => {
    const tabs = document.querySelector(data.target);
    if (tabs) {
      clearInterval(timer);
      tabs.style.scrollMarginTop = "4rem";  // below the app header, which overlays the page
      tabs.scrollIntoView({ block: "start" });
    } else if (Date.now() > deadline) {
      clearInterval(timer);
    }
  }, 100);
  return () => clearInterval(timer);
}
"""

_component = st.components.v2.component("latent_explorer.scroll_to_tabs", js=_SCRIPT)


def scroll_to_linked_tabs(key: str, page: str) -> None:
    """Call before `st.tabs(..., key=key, bind="query-params")`: on the first visit to `page` in this
    session, a link naming the open tab (?key=...) scrolls the tabs into view."""
    visited = f"visited_{page}"
    first_visit = visited not in st.session_state
    st.session_state[visited] = True
    if first_visit and st.query_params.get(key):
        _component(key=f"scroll_to_{key}", height=0, data={"target": f".st-key-{key}"})
