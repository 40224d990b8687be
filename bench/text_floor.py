"""The floor for slider latency: the same slider-in-a-fragment round trip, printing only text.

Run by `python -m explorer bench`; whatever this page takes is what Streamlit itself costs.
"""

import streamlit as st


@st.fragment
def view():
    value = st.slider("z1 (σ)", -3.0, 3.0, 0.0, 0.1, key="z1", bind="query-params", format="%.1f")
    st.markdown(f"z1 = {value:.1f}")


view()
