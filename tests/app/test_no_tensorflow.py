"""The app starts and serves every page with TensorFlow absent (as on Streamlit Community Cloud),
and opening them imports none of the heavy libraries."""

import subprocess
import sys

from tests.support.data import ROOT

SCRIPT = r"""
import importlib.abc, pathlib, sys

class BlockTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)")

sys.meta_path.insert(0, BlockTensorFlow())
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=60).run()
for page in sorted(str(p) for p in pathlib.Path("app_pages").glob("*.py")):
    at.switch_page(page).run()
    assert not at.exception, (page, [e.value for e in at.exception])
    print("served", page, len(at.get("image")), "images")
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "umap", "openTSNE", "numba"))
assert not heavy, heavy  # umap and openTSNE wait until a projection needs them
"""


def test_every_page_serves_without_tensorflow():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    served = [line for line in result.stdout.splitlines() if line.startswith("served")]
    assert len(served) >= 5
    pictured = [line for line in served if "text.py" not in line]  # the Text page shows words, not images
    assert all(" 0 images" not in line for line in pictured), served
