"""Several app processes behind nginx on this machine, as deploy/ runs them in containers.

    python -m tools balance --processes 3 --port 8080     # until Ctrl+C

`Balancer` starts N `streamlit run` processes on free loopback ports and Debian's nginx with
deploy/nginx.conf, rewritten only where a machine differs from the containers: the address it
listens on, the processes' addresses, and where logs and temporary files go. The load test runs
through it (`python -m tools loadtest --processes 3`), and `affinity()` reads nginx's access log
to say whether every visitor stayed on one process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

from tools.local_server import ROOT, free_port, log_errors, start_streamlit

CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def local_config(text: str, port: int, upstreams: list[int], folder: Path) -> str:
    """deploy/nginx.conf for this machine: listen on 127.0.0.1:`port`, balance over `upstreams`."""
    servers = "".join(f"        server 127.0.0.1:{upstream};\n" for upstream in upstreams)
    text, listens = re.subn(r"^\s*listen \d+;.*$", f"        listen 127.0.0.1:{port};", text, flags=re.M)
    text, names = re.subn(r"^\s*server app:\d+;.*\n", servers, text, flags=re.M)
    text, logs = re.subn(r"access_log \S+", f"access_log {folder / 'access.log'}", text)
    if (listens, names, logs) != (1, 1, 1):
        raise ValueError(f"{CONFIG} no longer has one listen line, one `server app:` line and one access_log")
    return f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n" + text


class Balancer:
    """N app processes and nginx in front; `url` is the balancer's, `pids` the app processes'."""

    def __init__(self, processes: int, app_dir: Path = ROOT, port: int | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="balancer-"))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.servers: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        try:
            ports = [free_port() for _ in range(processes)]
            self.servers = [start_streamlit("streamlit_app.py", port, cwd=app_dir) for port in ports]
            config = self.folder / "nginx.conf"
            config.write_text(local_config(CONFIG.read_text(), self.port, ports, self.folder))
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(self.folder), "-c", str(config), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=(self.folder / "nginx.out").open("wb"),
            )
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    @property
    def pids(self) -> list[int]:
        return [server.pid for server in self.servers]

    def _wait_until_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError(f"nginx stopped: {(self.folder / 'nginx.out').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"nginx on {self.url} did not answer in {timeout:.0f} s")

    def stop(self) -> None:
        for process in ([self.nginx] if self.nginx else []) + self.servers:
            process.terminate()
        for process in ([self.nginx] if self.nginx else []) + self.servers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def error_lines(self) -> list[str]:
        """The app processes' log lines naming an error."""
        return [line for server in self.servers for line in log_errors(server)]

    def affinity(self) -> dict:
        """From nginx's access log: visitors (affinity keys), how many reached more than one process,
        and requests per process."""
        processes_of: dict[str, set] = defaultdict(set)
        requests: dict[str, int] = defaultdict(int)
        log = self.folder / "access.log"
        for line in log.read_text().splitlines() if log.exists() else []:
            key, upstream = line.split(" ", 2)[:2]
            if upstream != "-":  # answered by nginx itself
                processes_of[key].add(upstream)
                requests[upstream] += 1
        return {
            "visitors": len(processes_of),
            "on_several_processes": sum(len(found) > 1 for found in processes_of.values()),
            "requests_per_process": dict(requests),
        }


def serve(processes: int, port: int) -> int:
    """`python -m tools balance`: start, say where, wait for Ctrl+C."""
    balancer = Balancer(processes, port=port)
    print(f"{processes} processes behind nginx on {balancer.url} (logs in {balancer.folder}); Ctrl+C stops them.")
    try:
        while all(server.poll() is None for server in balancer.servers):
            time.sleep(1)
        print("An app process stopped; stopping the rest.")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        balancer.stop()
