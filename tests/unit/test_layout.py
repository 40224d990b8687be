"""explorer/'s folders keep their import rules (pyproject.toml, [tool.importlinter]); a broken rule fails here."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
    for package in ("explorer", "tools"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    latent = tmp_path / "explorer" / "maths" / "latent.py"
    latent.write_text(latent.read_text() + "\n\ndef _oops():\n    import streamlit  # noqa: F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert (
        "maths is numpy only BROKEN" in result.stdout and "Streamlit only in ui (and the pages) BROKEN" in result.stdout
    )


# Three collections in one process: the second and third find the test modules imported (one
# subprocess each cost about 9 s under CI's load, most of it importing them again).
COLLECT = """
import json, sys
import pytest

class Ids:
    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]

found = []
for args in json.loads(sys.argv[1]):
    ids = Ids()
    pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *args], plugins=[ids])
    found.append(ids.ids)
print("COLLECTED " + json.dumps(found))
"""


@pytest.mark.slow
def test_the_quick_loop_leaves_slow_browser_and_training_tests_to_ci():
    """`pytest -m "not browser and not train"` is the quick loop; `--slow` (CI) collects every test."""
    import json

    asked = [["-m", "not browser and not train"], ["--slow"], ["tests/app/test_load.py"]]
    output = subprocess.run(
        [sys.executable, "-c", COLLECT, json.dumps(asked)], cwd=ROOT, capture_output=True, text=True, timeout=300
    ).stdout
    quick, everything, named = (set(ids) for ids in json.loads(output.split("COLLECTED ", 1)[1]))
    assert quick and quick < everything
    modules = {test.split("::")[0] for test in quick}
    assert not modules & {
        "tests/app/test_load.py",
        "tests/browser/test_crawl.py",
        "tests/train/test_gan.py",
        "tests/browser/test_live.py",
    }
    trained = "tests/train/test_app_gan_trained.py::test_a_timeline_without_verdicts_still_draws"  # uses tiny_gan
    assert trained not in quick and trained in everything
    assert "tests/app/test_load.py" in {test.split("::")[0] for test in everything}
    assert named, "a file named on the command line runs even if slow"


def test_a_test_in_a_folder_not_of_its_kind_is_named_with_the_folder_it_belongs_in():
    from types import SimpleNamespace

    from tests.conftest import misplaced

    def item(path, *fixtures):
        return SimpleNamespace(path=ROOT / path, nodeid=f"{path}::test_x", fixturenames=["request", *fixtures])

    assert misplaced(item("tests/unit/test_x.py", "tmp_path")) is None
    assert misplaced(item("tests/train/test_x.py", "tiny_vae")) is None
    assert misplaced(item("tests/browser/test_x.py", "page", "app_url")) is None
    assert "tests/train/" in misplaced(item("tests/unit/test_x.py", "tiny_vae"))
    assert "tests/browser/" in misplaced(item("tests/app/test_x.py", "app_url"))
    assert "tests/{unit,app,browser,train}/" in misplaced(item("tests/test_x.py"))


def import_circles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The circles of an import graph (module -> the modules it imports): each strongly connected
    group of two or more modules, or a module importing itself."""
    order, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module: str) -> None:  # Tarjan's algorithm
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in imports.get(module, ()):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1 or module in imports.get(module, ()):
                circles.append(sorted(group))

    for module in sorted(imports):
        if module not in order:
            visit(module)
    return circles


def test_the_circle_finder_finds_a_circle_and_nothing_else():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) == []
    assert import_circles({"a": {"a"}}) == [["a"]]


def test_no_module_of_the_product_or_its_tools_is_in_an_import_circle():
    import grimp

    graph = grimp.build_graph("explorer", "tools")
    imports = {module: graph.find_modules_directly_imported_by(module) & graph.modules for module in graph.modules}
    assert import_circles(imports) == []


def test_the_tools_find_the_repository_they_measure():
    from tools import attacks, local_server

    assert local_server.ROOT == attacks.ROOT == ROOT
    assert (local_server.ROOT / "streamlit_app.py").is_file()


MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
# Rooms allowed to be larger, each with the reason in one line (none today).
LARGER = {}


def sizes(root: Path) -> tuple[dict, dict]:
    """Lines of every module of the product, its tools and pages, and of every function in them."""
    import ast

    modules, functions = {}, {}
    for folder in ("explorer", "tools", "app_pages"):
        for path in sorted((root / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            name = path.relative_to(root).as_posix()
            modules[name] = len(text.splitlines())
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    functions[f"{name}:{node.name}"] = node.end_lineno - node.lineno + 1
    return modules, functions


def test_every_module_and_function_is_small_enough_to_hold_in_mind():
    modules, functions = sizes(ROOT)
    assert len(modules) > 50 and "explorer/ui/vae.py" in modules
    too_long = {name: lines for name, lines in modules.items() if lines > MAX_MODULE_LINES and name not in LARGER}
    assert too_long == {}, f"modules over {MAX_MODULE_LINES} lines: split them along their seams"
    too_long = {name: lines for name, lines in functions.items() if lines > MAX_FUNCTION_LINES and name not in LARGER}
    assert too_long == {}, f"functions over {MAX_FUNCTION_LINES} lines"


def test_the_size_check_finds_a_long_function(tmp_path):
    (tmp_path / "explorer").mkdir()
    (tmp_path / "explorer" / "long.py").write_text("def long():\n" + "    x = 1\n" * 90)
    modules, functions = sizes(tmp_path)
    assert functions == {"explorer/long.py:long": 91} and modules == {"explorer/long.py": 91}


def duplicate_blocks(root: Path, *folders: str) -> str:
    """pylint's report of every block of 6 or more lines written twice (imports, docstrings and
    comments aside); empty when there is none."""
    pylint = Path(sys.executable).with_name("pylint")
    arguments = ["--disable=all", "--enable=duplicate-code", "--min-similarity-lines=6", "--score=n"]
    arguments += ["--ignore-imports=yes", "--ignore-docstrings=yes", "--ignore-comments=yes"]
    result = subprocess.run([str(pylint), *arguments, *folders], cwd=root, capture_output=True, text=True, timeout=300)
    return result.stdout.strip()


def test_no_block_of_six_lines_is_written_twice_in_the_product():
    assert duplicate_blocks(ROOT, "explorer", "app_pages") == ""


def test_the_duplicate_check_finds_a_copied_block(tmp_path):
    block = "".join(f"    total = total * {n} + {n}\n" for n in range(8))
    for name in ("one", "two"):
        (tmp_path / f"{name}.py").write_text(f"def {name}(total):\n{block}    return total\n")
    assert "Similar lines in 2 files" in duplicate_blocks(tmp_path, "one.py", "two.py")
