"""deploy/: the container, the compose file and nginx's configuration are valid as written, and
the local set-up (tools/balancer.py) rewrites only what differs on one machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools.balancer import CONFIG, NGINX, local_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def needs_nginx():
    if not Path(NGINX).exists():
        import os

        reason = "nginx is not installed (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the deploy tests.")
        pytest.skip(reason)


def _compose_check(path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_compose_file_follows_the_compose_specification_and_a_broken_one_does_not(tmp_path):
    result = _compose_check(DEPLOY / "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "compose.yaml"
    broken.write_text((DEPLOY / "compose.yaml").read_text().replace("    ports:", "    port:"))
    result = _compose_check(broken)
    assert result.returncode != 0 and "port" in result.stdout + result.stderr


def test_the_container_installs_only_what_the_app_serves_with_and_runs_without_root():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs == ["RUN pip install --no-cache-dir -r requirements.txt"]  # not requirements-dev.txt
    pinned = [
        line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line
    ]
    assert "tensorflow" not in pinned and "tensorflow-cpu" not in pinned
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile and "/_stcore/health" in dockerfile
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {".git", ".venv", "node_modules", "runs", "tests"} <= set(ignored)


def test_the_balancers_configuration_passes_nginx_own_check_on_this_machine(tmp_path):
    needs_nginx()
    config = tmp_path / "nginx.conf"
    config.write_text(local_config(CONFIG.read_text(), 18080, [18501, 18502, 18503], tmp_path))
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    text = config.read_text()
    assert "listen 127.0.0.1:18080;" in text and text.count("server 127.0.0.1:185") == 3 and "app:8501" not in text
    assert "hash $affinity consistent" in text  # the sticky part stays as deploy/ wrote it


def test_a_configuration_the_local_set_up_cannot_rewrite_is_refused_with_a_sentence(tmp_path):
    text = CONFIG.read_text().replace("server app:8501;", "server backend:9000;")
    with pytest.raises(ValueError, match="one `server app:` line"):
        local_config(text, 18080, [18501], tmp_path)
