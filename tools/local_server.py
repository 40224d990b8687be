"""Start the app (or any Streamlit script) on a free loopback port, for browser tests and the bench."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium in a sandbox with no internet: no GPU, no background calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_streamlit(
    script: Path | str, port: int, cwd: Path = ROOT, timeout: float = 60, python: Path | str = sys.executable
) -> subprocess.Popen:
    """Start `streamlit run` with `python` and wait for /_stcore/health; the caller terminates the process.

    The server's output goes to a file, `server.log_path`: a pipe nobody reads would fill up and stall
    a server that logs a lot, as under the load test.
    """
    log = tempfile.NamedTemporaryFile("wb", prefix=f"streamlit-{port}-", suffix=".log", delete=False)
    with log:
        server = subprocess.Popen(
            [
                str(python),
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--logger.enableRich",
                "false",
                # No reloading on file changes: a server started here serves one version, and watching
                # a clone with its .venv inside overflowed inotify and spent the CPU the tests measure.
                "--server.fileWatcherType",
                "none",
            ],
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server.log_path = Path(log.name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise RuntimeError(
        f"streamlit did not answer /_stcore/health within {timeout:.0f} s; its output "
        f"({server.log_path}):\n" + server.log_path.read_text(errors="replace")[-2000:]
    )


def log_errors(server: subprocess.Popen) -> list[str]:
    """Lines of a server's log (started by `start_streamlit`) naming an error: the app's uncaught
    exceptions and the server's own."""
    lines = server.log_path.read_text(errors="replace").splitlines()
    return [line for line in lines if any(word in line for word in ("Uncaught", "Error", "Exception"))]
