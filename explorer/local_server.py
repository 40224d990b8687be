"""Start the app (or any Streamlit script) on a free loopback port, for browser tests and the bench."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium in a sandbox with no internet: no GPU, no background calls home.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(script: Path | str, port: int, cwd: Path = ROOT, timeout: float = 60,
                    python: Path | str = sys.executable) -> subprocess.Popen:
    """Start `streamlit run` with `python` and wait for /_stcore/health; the caller terminates the process."""
    server = subprocess.Popen(
        [str(python), "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s: "
                       + server.stderr.read().decode()[-2000:])
