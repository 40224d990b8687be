"""A second floor: the VAE page's slider fragment alone, with text where the image would be.

Same widgets (16 sliders in two columns, two buttons, a toggle) in an `st.fragment`, the vector
printed as text instead of decoded. Run by `python -m tools bench`: whatever this page takes is
what Streamlit itself costs for that round trip.
"""

import streamlit as st

LATENT_DIM = 16

st.set_page_config(layout="wide")


@st.fragment
def view():
    controls, output = st.columns([3, 2], gap="large")
    with controls:
        buttons = st.columns(2)
        buttons[0].button("Random sample", key="random")
        buttons[1].button("Reset to zero", key="reset")
        columns = st.columns(2)
        for dim in range(LATENT_DIM):
            columns[dim % 2].slider(
                f"z{dim + 1} (σ)", -3.0, 3.0, 0.0, 0.1, key=f"z{dim + 1}", bind="query-params", format="%.1f"
            )
    z = [st.session_state[f"z{dim + 1}"] for dim in range(LATENT_DIM)]
    output.markdown("z = [" + ", ".join(f"{v:.1f}" for v in z) + "]")
    st.toggle("Latent traversal around this vector", value=False, key="show_traversal")


view()
