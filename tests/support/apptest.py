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
