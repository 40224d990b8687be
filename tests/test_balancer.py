"""A room on several processes: three app processes behind nginx (deploy/nginx.conf, started by
tools/balancer.py). Thirty sessions through every page make the single session's outputs, and
every visitor, a browser included, stays on one process for its socket, uploads and model files."""

from __future__ import annotations

import urllib.request

import numpy as np
import pytest
from PIL import Image

from tests.conftest import wait_drawn, wait_live
from tests.test_deploy import _needs_nginx
from tools.balancer import Balancer
from tools.loadtest import run_load_test

PROCESSES = 3


def test_thirty_sessions_through_three_processes_make_one_sessions_outputs_and_stay_on_their_process():
    _needs_nginx()
    report = run_load_test(sessions=30, seconds=30, think=1.0, baseline_rounds=1, processes=PROCESSES)

    assert report["errors"]["total"] == 0, report["errors"]["examples"]
    assert report["outputs"]["compared"] >= 30 and report["outputs"]["differ"] == 0
    affinity = report["affinity"]
    assert affinity["visitors"] >= 31  # the baseline's session and thirty more, each with its own cookie
    assert affinity["on_several_processes"] == 0, affinity
    assert len(affinity["requests_per_process"]) == PROCESSES, affinity  # the visitors were spread over all three
    assert not report["server_log_errors"], report["server_log_errors"]


@pytest.fixture(scope="module")
def balancer():
    _needs_nginx()
    balancer = Balancer(PROCESSES)
    yield balancer
    balancer.stop()


def test_a_first_request_gets_the_process_cookie_and_a_request_with_it_does_not(balancer):
    with urllib.request.urlopen(balancer.url + "/") as response:
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("latent_explorer_process=") and "HttpOnly" in cookie
    request = urllib.request.Request(balancer.url + "/", headers={"Cookie": cookie.split(";")[0]})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Set-Cookie"] is None


def test_a_browser_visitors_socket_upload_and_model_files_reach_one_process(balancer, page, tmp_path):
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255  # a one
    Image.fromarray(digit).save(tmp_path / "one.png")

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
