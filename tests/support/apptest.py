"""Pages run in this process by Streamlit's AppTest, and what the tests read of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.data import ROOT

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


def open_page(script: str, **query) -> AppTest:
    """A page (or the entry file) run by Streamlit's AppTest, with `query` in its URL."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def live_data(at: AppTest, index: int = 0) -> dict | None:
    """What the page sent its live sliders (explorer/ui/live.py): sliders, values, model URL; None without."""
    import json

    components = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("live_sliders")]
    return json.loads(components[index].proto.json) if len(components) > index else None


def written_steps(at: AppTest) -> list | None:
    """The Text page's last written steps (its TextPageState); None before anything was written."""
    kept = at.session_state["page.TextPageState"] if "page.TextPageState" in at.session_state else None
    return kept.steps if kept else None


def image_urls(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].url for image in at.get("image")]


def open_app(page: str | None = None, **query) -> AppTest:
    """The whole app, as a browser opens it: the entry file with `query` in the URL, then `page`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def about(at: AppTest, label: str = "About this page"):
    return next(e for e in at.expander if e.label == label)


def traces(at: AppTest) -> list[dict]:
    """The traces of the page's first plotly chart, as the browser gets them."""
    import json

    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"]


def trace_points(trace: dict) -> int:
    """Points in a trace, whether plotly sent x as a list or as a typed array (base64 "bdata")."""
    import base64

    import numpy as np

    x = trace.get("x", [])
    if isinstance(x, dict):
        return len(base64.b64decode(x["bdata"])) // np.dtype(x["dtype"]).itemsize
    return len(x)


def one_digit_png() -> bytes:
    """A hand-drawn-looking one, 28x28, as a PNG: what a visitor uploads on the VAE page."""
    import io

    import numpy as np
    from PIL import Image

    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    png = io.BytesIO()
    Image.fromarray(digit).save(png, "PNG")
    return png.getvalue()
