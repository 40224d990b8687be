"""AppTest for presenter mode and shared links (issue #6): `?presenter=true` turns presenter mode on
and it stays on from page to page; explanations fold away; images grow; a link reopens the view."""

import pytest

from tests.support.apptest import about, captions, open_app


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
