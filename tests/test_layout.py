"""explorer/'s folders keep their import rules (pyproject.toml, [tool.importlinter]); a broken rule fails here."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    linter = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(linter), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def test_every_folder_keeps_its_import_rule():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_streamlit_imported_from_the_maths_breaks_a_rule(tmp_path):
    shutil.copytree(ROOT / "explorer", tmp_path / "explorer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    latent = tmp_path / "explorer" / "maths" / "latent.py"
    latent.write_text(latent.read_text() + "\n\ndef _oops():\n    import streamlit  # noqa: F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert (
        "maths is numpy only BROKEN" in result.stdout and "Streamlit only in ui (and the pages) BROKEN" in result.stdout
    )
