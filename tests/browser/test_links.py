"""Every link the README and the documents in docs/ hand out reopens the view it describes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import ButtonGroup, Radio, Selectbox

from tests.support.data import ROOT

DOCUMENTS = ["README.md", "docs/instructors.md", "docs/architecture.md", "docs/models.md", "docs/benchmarks.md"]


LINK = re.compile(r"`/(\w+)\?([^`\s]+)`")


WIDGET_KINDS = ("slider", "number_input", "selectbox", "radio", "button_group", "toggle", "text_input", "text_area")


def documented_links() -> list[tuple[str, str]]:
    found = {match for name in DOCUMENTS for match in LINK.findall((ROOT / name).read_text(encoding="utf-8"))}
    return sorted(found)


def shown_value(at: AppTest, key: str):
    """What the page shows for a URL key: its widget's value as the URL spells it, else its state."""
    for kind in WIDGET_KINDS:
        for widget in at.get(kind):
            if widget.key != key:
                continue
            if isinstance(widget, (Selectbox, Radio)):
                return widget.options[widget.index]
            if isinstance(widget, ButtonGroup):
                return widget.formatted_values[0]
            return widget.value
    return at.session_state[key] if key in at.session_state else None


@pytest.mark.parametrize(("page", "query"), documented_links(), ids=lambda part: part[:60])
def test_a_documented_link_reopens_its_view(page, query):
    at = AppTest.from_file(str(ROOT / "app_pages" / f"{page}.py"), default_timeout=120)
    wanted = {key: values[-1] for key, values in parse_qs(query, strict_parsing=True).items()}
    for key, value in wanted.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    for key, value in wanted.items():
        shown = shown_value(at, key)
        if isinstance(shown, (int, float)) and not isinstance(shown, bool):
            assert shown == pytest.approx(float(value)), f"{key}: the page shows {shown}, the link says {value}"
        else:
            assert shown == value, f"{key}: the page shows {shown!r}, the link says {value!r}"
    assert at.get("image") or at.get("plotly_chart") or at.text_area, "the page draws what the link is about"
