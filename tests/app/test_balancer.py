"""A room on several processes: three app processes behind nginx (deploy/nginx.conf, started by
tools/balancer.py). Thirty sessions through every page make the single session's outputs, and
every visitor, a browser included, stays on one process for its socket, uploads and model files."""

from __future__ import annotations

import urllib.request

import pytest

from tests.support.servers import BALANCED_PROCESSES, needs_nginx
from tools.loadtest import run_load_test

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does


def test_thirty_sessions_through_three_processes_make_one_sessions_outputs_and_stay_on_their_process():
    needs_nginx()
    report = run_load_test(sessions=30, seconds=30, think=1.0, baseline_rounds=1, processes=BALANCED_PROCESSES)

    assert report["errors"]["total"] == 0, report["errors"]["examples"]
    assert report["outputs"]["compared"] >= 30 and report["outputs"]["differ"] == 0
    affinity = report["affinity"]
    assert affinity["visitors"] >= 31  # the baseline's session and thirty more, each with its own cookie
    assert affinity["on_several_processes"] == 0, affinity
    assert len(affinity["requests_per_process"]) == BALANCED_PROCESSES, (
        affinity
    )  # the visitors were spread over all three
    assert not report["server_log_errors"], report["server_log_errors"]


def test_a_first_request_gets_the_process_cookie_and_a_request_with_it_does_not(balancer):
    with urllib.request.urlopen(balancer.url + "/") as response:
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("latent_explorer_process=") and "HttpOnly" in cookie
    request = urllib.request.Request(balancer.url + "/", headers={"Cookie": cookie.split(";")[0]})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Set-Cookie"] is None
