"""The app served as `streamlit run` serves it, for the tests under tests/browser/, and what they read of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def app_server():
    """The app, served as `streamlit run streamlit_app.py` does; `.url`, and its log at `.log_path`."""
    from tools.local_server import free_port, start_streamlit

    port = free_port()
    server = start_streamlit("streamlit_app.py", port)
    server.url = f"http://127.0.0.1:{port}"
    yield server
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def app_url(app_server) -> str:
    return app_server.url


def server_errors(server, since: int = 0) -> list[str]:
    """Lines of the server's log (from byte `since`) that report an error or a traceback."""
    text = server.log_path.read_bytes()[since:].decode("utf-8", "replace")
    return [
        line
        for line in text.splitlines()
        if "Traceback" in line or "Error" in line or "Exception" in line or " ERROR " in line
    ]


def needs_nginx() -> None:
    """Skip (or under CI fail) a test that starts nginx when it is not installed."""
    from tools.balancer import NGINX

    if not Path(NGINX).exists():
        reason = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the deploy tests.")
        pytest.skip(reason)


BALANCED_PROCESSES = 3


@pytest.fixture(scope="module")
def balancer():
    """BALANCED_PROCESSES app processes behind nginx (tools/balancer.py); `.url`, `.folder` for its logs."""
    from tools.balancer import Balancer

    needs_nginx()
    balancer = Balancer(BALANCED_PROCESSES)
    yield balancer
    balancer.stop()
