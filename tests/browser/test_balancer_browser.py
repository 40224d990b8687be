"""A Chromium visitor through nginx in front of three app processes (the `balancer` fixture): its
socket, its upload and the model files it fetches all reach one process."""

from __future__ import annotations

import pytest

from tests.support.apptest import one_digit_png
from tests.support.browser import wait_drawn, wait_live

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does


def test_a_browser_visitors_socket_upload_and_model_files_reach_one_process(balancer, page, tmp_path):
    (tmp_path / "one.png").write_bytes(one_digit_png())

    page.goto(f"{balancer.url}/vae?model=mnist-vae-16d")
    wait_live(page)  # the runtime and the decoder were fetched, and drew
    page.goto(f"{balancer.url}/vae?section=Start+from+an+example")
    wait_drawn(page)
    page.get_by_role("tab", name="Upload your own").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(tmp_path / "one.png"))
    page.get_by_text("The sliders moved to this image's μ.").first.wait_for(timeout=30_000)

    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "latent_explorer_process")
    mine = [line.split(" ", 3) for line in (balancer.folder / "access.log").read_text().splitlines()]
    mine = [(upstream, request) for key, upstream, _, request in mine if key == cookie]
    assert len({upstream for upstream, _ in mine}) == 1, mine
    for part in ("/_stcore/stream", "/_stcore/upload_file", "/models/mnist-vae-16d/", "/static/"):
        assert any(part in request for _, request in mine), f"no request for {part} in {mine[:20]}"
