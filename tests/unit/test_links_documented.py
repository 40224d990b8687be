"""Every link the README and the documents in docs/ hand out reopens the view it describes."""

from __future__ import annotations

import re

from tests.support.data import ROOT

DOCUMENTS = ["README.md", "docs/instructors.md", "docs/architecture.md", "docs/models.md", "docs/benchmarks.md"]


LINK = re.compile(r"`/(\w+)\?([^`\s]+)`")


def documented_links() -> list[tuple[str, str]]:
    found = {match for name in DOCUMENTS for match in LINK.findall((ROOT / name).read_text(encoding="utf-8"))}
    return sorted(found)


def test_the_documents_hand_out_links_to_every_page():
    assert {page for page, _ in documented_links()} == {"vae", "gan", "projector", "text"}
