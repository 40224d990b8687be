"""AppTest for presenter mode and shared links (issue #6): `?presenter=true` turns presenter mode on
and it stays on from page to page; explanations fold away; images grow; a link reopens the view."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.data import ROOT


def open_app(page: str | None = None, **query) -> AppTest:
    """The whole app, as a browser opens it: the entry file with `query` in the URL, then `page`."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run() if page else at


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def about(at: AppTest, label: str = "About this page"):
    return next(e for e in at.expander if e.label == label)


@pytest.mark.parametrize(
    "page, intro",
    [
        ("app_pages/gan.py", "A generator turns random numbers"),
        ("app_pages/text.py", "A recurrent network read Shakespeare"),
    ],
)
def test_every_page_folds_its_introduction(page, intro):
    normal, presenting = open_app(page), open_app(page, presenter="true")
    assert intro in captions(normal) and intro not in captions(presenting)
    assert intro in about(presenting).markdown[0].value
