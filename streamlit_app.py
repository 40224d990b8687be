"""Latent Explorer: entry file. Run with `streamlit run streamlit_app.py`.

The app is `app.py` (the pages); this file adds the routes that serve the browser what it runs
itself: the LiteRT.js runtime and the models' .tflite files (explorer/serving/routes.py).
"""

import streamlit as st

from explorer.serving.routes import routes

app = st.App("app.py", routes=routes())
