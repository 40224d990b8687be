"""Latent Explorer: entry file. Run with `streamlit run streamlit_app.py`.

The app is `app.py` (the pages); this file adds the routes that serve the browser what it runs
itself (the LiteRT.js runtime and the models' .tflite files: explorer/serving/routes.py), Streamlit's
own JavaScript gzipped once (explorer/serving/compressed.py), the gate
every message from a browser passes before Streamlit reads it (explorer.ui.gate.py), and the
timer that collects what closed sessions leave behind, and the limit on glibc's malloc arenas
(explorer/memory.py).
"""

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from explorer.memory import Collector, limit_malloc_arenas
from explorer.serving.compressed import CompressedFiles
from explorer.serving.routes import routes
from explorer.ui.gate import BrowserInputGate


@asynccontextmanager
async def lifespan(app):
    collector = Collector().start()
    try:
        yield
    finally:
        collector.stop()


limit_malloc_arenas()  # before the sessions' threads: 30 sessions peaked 541 -> 424 MB (docs/benchmarks.md)

STREAMLIT_STATIC = Path(st.__file__).parent / "static" / "static"  # what the frontend loads as ./static/...

app = st.App(
    "app.py",
    routes=routes(),
    lifespan=lifespan,
    middleware=[Middleware(CompressedFiles, prefix="/static/", root=STREAMLIT_STATIC), Middleware(BrowserInputGate)],
)
