"""How the suite is laid out: a folder per kind of test, and the marker each folder gives.

    tests/unit/      functions and classes: no Streamlit run, no server, no TensorFlow
    tests/app/       pages run in this process by AppTest, and servers driven without a browser
    tests/browser/   a served app (tests/support/servers.py), most of them in Chromium  -> marker `browser`
    tests/train/     TensorFlow trains or exports a model                              -> marker `train`
    tests/support/   what they share: data, tiny checkpoints (fixtures), the browser, the command line

A module that takes minutes says `pytestmark = pytest.mark.slow`; the slow tests run only with
`--slow` (CI does) or when a file or `-m` names them. A test that asks for a fixture of another
folder's kind (a trained checkpoint outside tests/train/, a server outside tests/browser/) is an
error at collection, so the markers stay true.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.support")  # their asserts (a page's console errors) explain themselves too

pytest_plugins = ["tests.support.checkpoints", "tests.support.servers", "tests.support.browser"]

FOLDER_MARKERS = {"unit": None, "app": None, "browser": "browser", "train": "train"}
SERVED_FIXTURES = {"page", "app_server", "app_url"}


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the slow tests (the crawl, the load test, the attack corpus, whole-page properties, "
        "the projection worker's processes); CI does",
    )


def folder_of(item) -> str:
    return item.path.parent.name


def misplaced(item) -> str | None:
    """Why this test is in the wrong folder, or None."""
    from tests.support.checkpoints import TRAIN_FIXTURES

    folder, fixtures = folder_of(item), set(getattr(item, "fixturenames", ()))
    if folder not in FOLDER_MARKERS:
        return f"{item.nodeid}: tests live in tests/{{{','.join(FOLDER_MARKERS)}}}/"
    if TRAIN_FIXTURES & fixtures and folder != "train":
        return f"{item.nodeid} uses a trained checkpoint ({', '.join(sorted(TRAIN_FIXTURES & fixtures))}): tests/train/"
    if SERVED_FIXTURES & fixtures and folder != "browser":
        return f"{item.nodeid} uses a served app ({', '.join(sorted(SERVED_FIXTURES & fixtures))}): tests/browser/"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark each test by its folder, so a quick loop can leave the slow kinds out (CI runs them all)."""
    problems = [problem for problem in map(misplaced, items) if problem]
    if problems:
        raise pytest.UsageError("Tests in the wrong folder:\n" + "\n".join(problems))
    for item in items:
        marker = FOLDER_MARKERS[folder_of(item)]
        if marker:
            item.add_marker(marker)
    # Tests that train come last: once TensorFlow is imported, every garbage collection walks its
    # millions of objects, and the AppTests after it ran twice as slow (test_properties_app: 41 s
    # alone, 86 s with TensorFlow imported first).
    items.sort(key=lambda item: item.get_closest_marker("train") is not None)
    if leaves_slow_tests_out(config):
        slow = [item for item in items if item.get_closest_marker("slow")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if not item.get_closest_marker("slow")]
            config.stash[SLOW_LEFT_OUT] = len(slow)


SLOW_LEFT_OUT = pytest.StashKey[int]()


def leaves_slow_tests_out(config) -> bool:
    """The whole suite without `--slow` is the quick loop; a named file, or `-m` naming the marker, asks for them."""
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    return whole_suite and not config.getoption("slow") and "slow" not in config.getoption("markexpr")


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(SLOW_LEFT_OUT, 0):
        terminalreporter.write_line(
            f"{config.stash[SLOW_LEFT_OUT]} slow tests were left out: `python -m pytest --slow` runs them (CI does)."
        )
