"""The command line, as the tests call it: in this process, or in a subprocess as a person runs it; recipe files."""

from __future__ import annotations

from pathlib import Path

from tests.support.data import ROOT


def run_cli(*args):
    """`python -m explorer ARGS`, called in this process (no new interpreter importing TensorFlow again):
    its exit code and what it printed, as `subprocess.run` would give them."""
    import contextlib
    import io
    import subprocess
    import traceback

    from explorer.__main__ import main

    argv = [str(arg) for arg in args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse, or a command that exits with a sentence
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            if isinstance(exit_.code, str):
                print(exit_.code, file=err)
        except Exception:  # what Python would print, so a test can see that there was a traceback
            traceback.print_exc(file=err)
            code = 1
    return subprocess.CompletedProcess(["python", "-m", "explorer", *argv], code or 0, out.getvalue(), err.getvalue())


def write_recipe(path: Path, **settings) -> Path:
    """A recipe file (recipes/*.toml) with these settings: strings quoted, paths as POSIX, lists as arrays."""
    import json

    def toml(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list | tuple):
            return "[" + ", ".join(toml(part) for part in value) + "]"
        if isinstance(value, int | float):
            return repr(value)
        return json.dumps(Path(value).as_posix() if isinstance(value, Path) else value)

    path.write_text("".join(f"{key} = {toml(value)}\n" for key, value in settings.items()), encoding="utf-8")
    return path


def run_cli_process(*args, cwd=ROOT):
    """`python -m explorer ARGS` in a subprocess, exactly as a person runs it."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "explorer", *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=600
    )
