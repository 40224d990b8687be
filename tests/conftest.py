"""Shared fixtures: tiny data the tests make, and one tiny trained checkpoint per test session."""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent


def small_digits(count: int = 600):
    """scikit-learn's 8x8 digits as uint8 images (N, 8, 8, 1) with labels: ships with the package."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images[:count] * (255 / 16)).round().astype(np.uint8)[..., None]
    return x, digits.target[:count].astype(np.int64)


@pytest.fixture(scope="session")
def digits_npz(tmp_path_factory) -> Path:
    x, y = small_digits()
    path = tmp_path_factory.mktemp("data") / "digits8.npz"
    np.savez(path, x=x, y=y)
    return path


@pytest.fixture(scope="session")
def tiny_vae(tmp_path_factory, digits_npz) -> Path:
    """A 3-d VAE trained for two epochs on 8x8 digits, written as a real checkpoint folder."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import TrainConfig, VAEConfig
    from explorer.training.data import load_dataset
    from explorer.training.vae import train_vae

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-vae"
    config = VAEConfig(kind="vae", image_shape=(8, 8, 1), latent_dim=3, filters=(8, 16), hidden_units=32)
    train_vae(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


@pytest.fixture(scope="session")
def tiny_classifier(tmp_path_factory, digits_npz) -> Path:
    """A digit classifier trained for two epochs on 8x8 digits: the tiny GAN's feature network."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import ClassifierConfig, TrainConfig
    from explorer.training.classifier import train_classifier
    from explorer.training.data import load_dataset

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-classifier"
    config = ClassifierConfig(image_shape=(8, 8, 1), filters=(8,), feature_units=16)
    train_classifier(load_dataset(str(digits_npz)), config, TrainConfig(epochs=2, holdout=100, batch_size=64), out)
    return out


# The command line's default generator (nearest-neighbour upsampling, batch norm), as emoji-gan uses.
TINY_GAN = dict(
    image_shape=(8, 8, 1),
    latent_dim=4,
    generator_filters=(16, 8),
    discriminator_filters=(8, 16),
    upsampling="nearest",
    batch_norm=True,
)


@pytest.fixture(scope="session")
def tiny_gan(tmp_path_factory, digits_npz, tiny_classifier) -> Path:
    """A 4-d GAN trained for two epochs on 8x8 digits, written as a real checkpoint folder."""
    from explorer.config import GANConfig, TrainConfig
    from explorer.training.data import load_dataset
    from explorer.training.gan import train_gan

    out = tmp_path_factory.mktemp("checkpoints") / "tiny-gan"
    train_gan(
        load_dataset(str(digits_npz)),
        GANConfig(**TINY_GAN),
        TrainConfig(epochs=2, batch_size=64),
        out,
        features_from=tiny_classifier,
    )
    return out


@pytest.fixture(scope="session")
def embedded_vae(tmp_path_factory, tiny_vae, digits_npz) -> Path:
    """The tiny VAE with its shipped embedding (600 digits), as `train vae` leaves a checkpoint.

    Its default projections are one quick t-SNE (`quick_projections`).
    """
    import shutil

    from explorer.training import embed
    from explorer.training.data import load_dataset

    out = tmp_path_factory.mktemp("embedded") / "tiny-vae"
    shutil.copytree(tiny_vae, out)
    with quick_projections():
        embed.write_embedding(out, load_dataset(str(digits_npz)))
    return out


def _quick_tsne():
    from explorer.projector.projection import ProjectionParams

    return ProjectionParams("tsne", 2, perplexity=10.0)


QUICK_TSNE = _quick_tsne()


@contextlib.contextmanager
def quick_projections():
    """Training ships one quick t-SNE as the default projections, not the real UMAP and t-SNE: same code,
    less time (and no numba compiling UMAP, half a minute on a cold cache)."""
    from explorer.training import embed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embed, "DEFAULT_PROJECTIONS", (QUICK_TSNE,))
        yield


def small_text(characters: int = 12_000) -> str:
    """Seeded nonsense in a few dozen words, with punctuation and line breaks: enough for a char-RNN."""
    words = (
        "the king queen shall not be more than a fool to love you and me , . ! ? "
        "ROMEO : JULIET : what light through yonder window breaks"
    ).split()
    rng = np.random.default_rng(0)
    pieces, length = [], 0
    while length < characters:
        line = " ".join(rng.choice(words, size=rng.integers(3, 10))) + "\n"
        pieces.append(line)
        length += len(line)
    return "".join(pieces)[:characters]


@pytest.fixture(scope="session")
def tiny_charrnn(tmp_path_factory) -> Path:
    """A 24-unit char-RNN trained for two short epochs on `small_text`, as a real checkpoint folder."""
    pytest.importorskip("tensorflow", reason="training needs TensorFlow (requirements-dev.txt)")
    from explorer.config import CharRNNConfig, TrainConfig
    from explorer.training.text import read_text, train_charrnn

    source = tmp_path_factory.mktemp("text") / "small.txt"
    source.write_text(small_text(), encoding="utf-8")
    out = tmp_path_factory.mktemp("checkpoints") / "tiny-charrnn"
    text, origin = read_text(source)
    with quick_projections():
        train_charrnn(
            text,
            origin,
            CharRNNConfig(embedding_dim=8, units=24, seq_len=20),
            TrainConfig(epochs=2, batch_size=32, learning_rate=1e-2),
            out,
        )
    return out


# Real browser -----------------------------------------------------------------------------------
# `streamlit run` on a free loopback port, driven by Playwright in Debian's Chromium. Every browser
# test's page fails on an error in the browser console or an uncaught exception in the page.

# Console lines that are not the app's errors: Chromium without a GPU, the network it is denied, and
# Streamlit's frontend probing `/PAGE/_stcore/…` before `/_stcore/…` when a page's address is opened.
IGNORED_CONSOLE = (
    "No GPU adapter",
    "WebGL",
    "GPU stall",
    "Automatic fallback to software WebGL",
    "net::ERR_",
    "favicon",
    "/_stcore/health)",
    "/_stcore/host-config)",
)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright launches Debian's Chromium: Playwright cannot download its own here."""
    from tools.local_server import CHROMIUM, CHROMIUM_FLAGS

    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests.")
        pytest.skip(reason)
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


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


@pytest.fixture(scope="module")
def shared_context(browser, browser_context_args):
    """One browser context for a module's tests, each on its own page: the pages share Chromium's
    cache, so the app's scripts are fetched and compiled once (pytest-playwright's context per test
    cost each page load about 0.45 s of its 2.1 s)."""
    context = browser.new_context(**browser_context_args)
    yield context
    context.close()


@pytest.fixture
def page(shared_context):
    """A new page, failing its test on any console error or uncaught page exception."""
    page = shared_context.new_page()
    page.console_errors = []

    def on_console(message):
        line = f"{message.text} ({message.location.get('url', '')})"
        if message.type == "error" and not any(noise in line for noise in IGNORED_CONSOLE):
            page.console_errors.append(line)

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    yield page
    errors, page.console_errors = page.console_errors, []
    page.close()
    assert not errors, f"the browser console logged errors: {errors[:5]}"


# The app's script state, as Streamlit writes it on its root element: "notRunning" when idle.
_IDLE = """() => {
    const app = document.querySelector('[data-test-script-state]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED';
}"""
_WATCH_RUNS = """() => {
    if (window.__runs !== undefined) return;
    window.__runs = 0;
    const app = document.querySelector('[data-test-script-state]');
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs += 1; })
        .observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] });
    window.__sent = 0;  // messages the page sent the server (a widget's new value among them)
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...message) { window.__sent += 1; return send.apply(this, message); };
}"""


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until the app has finished its script run (Streamlit's own state, not a sleep)."""
    page.wait_for_function(_IDLE, timeout=timeout)


_QUIET = """([quiet, limit]) => new Promise(resolve => {
    let timer;
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
    const done = () => { observer.disconnect(); clearTimeout(cap); resolve(true); };
    const cap = setTimeout(done, limit);
    observer.observe(document.body, { subtree: true, childList: true });
    timer = setTimeout(done, quiet);
})"""


def wait_drawn(page, quiet_ms: int = 400, limit_ms: int = 10_000) -> None:
    """Until the app is idle and no element has been added or removed for `quiet_ms`: what a run
    sent is on screen (a tab's panel, a component that mounts after the run, a second run it starts)."""
    wait_idle(page)
    page.evaluate(_QUIET, [quiet_ms, limit_ms])
    wait_idle(page)


def wait_live(page, timeout: float = 60_000) -> int:
    """Until the page's live sliders run their model in the browser and have drawn; the frames drawn.

    Defines `window.liveFrames()`: how many pictures the live canvas has drawn so far."""
    page.locator(".live[data-state='live']").first.wait_for(timeout=timeout)
    page.evaluate(
        "() => { window.liveFrames = () => Number([...window.__latentExplorerLive.views.values()]"
        ".find(view => view.root.isConnected).canvas.dataset.frames); }"
    )
    page.wait_for_function("() => window.liveFrames() > 0", timeout=timeout)
    return page.evaluate("() => window.liveFrames()")


def settle(page, action, sent_within: float = 500, started_within: float = 1_500, timeout: float = 60_000) -> None:
    """Do `action()` on an idle page, then wait until the run it started (if any) has ended.

    An action that sends the server nothing within `sent_within` ms (a tab, an expander, a download)
    starts no run, so the wait for one is cut short: it had cost such actions 1.5 s each."""
    wait_idle(page, timeout)
    page.evaluate(_WATCH_RUNS)
    before = page.evaluate("() => [window.__runs, window.__sent]")
    action()
    try:
        page.wait_for_function(
            "([runs, sent]) => window.__runs > runs || window.__sent > sent", arg=before, timeout=sent_within
        )
        page.wait_for_function("runs => window.__runs > runs", arg=before[0], timeout=started_within)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the action started no run
        pass
    wait_idle(page, timeout)


def server_errors(server, since: int = 0) -> list[str]:
    """Lines of the server's log (from byte `since`) that report an error or a traceback."""
    text = server.log_path.read_bytes()[since:].decode("utf-8", "replace")
    return [
        line
        for line in text.splitlines()
        if "Traceback" in line or "Error" in line or "Exception" in line or " ERROR " in line
    ]


# Helpers the test modules share ------------------------------------------------------------------


def open_page(script: str, **query) -> AppTest:
    """A page (or the entry file) run by Streamlit's AppTest, with `query` in its URL."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def live_data(at: AppTest, index: int = 0) -> dict | None:
    """What the page sent its live sliders (explorer/ui/live.py): sliders, values, model URL; None without."""
    import json

    components = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("live_sliders")]
    return json.loads(components[index].proto.json) if len(components) > index else None


def written_steps(at: AppTest) -> list | None:
    """The Text page's last written steps (its TextPageState); None before anything was written."""
    kept = at.session_state["page.TextPageState"] if "page.TextPageState" in at.session_state else None
    return kept.steps if kept else None


def image_urls(at: AppTest) -> list[str]:
    return [image.proto.imgs[0].url for image in at.get("image")]


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


def digits(count=300):
    """scikit-learn's 8x8 digits as 64-d float vectors, with their labels as text."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data[:count], np.array([f"digit {label}" for label in data.target[:count]])


# A module-level mark instead of pytest.importorskip: collecting must not import TensorFlow (6 s).
needs_tensorflow = pytest.mark.skipif(
    importlib.util.find_spec("tensorflow") is None, reason="training needs TensorFlow (requirements-dev.txt)"
)

BROWSER_FIXTURES = {"page", "app_server", "app_url"}
TRAIN_FIXTURES = {"tiny_vae", "tiny_classifier", "tiny_gan", "embedded_vae", "tiny_charrnn"}  # TensorFlow fits a model
TRAIN_MODULES = {"test_training", "test_gan", "test_conditional_gan", "test_embed"}
SLOW_MODULES = {
    "test_crawl",
    "test_load",
    "test_balancer",
    "test_attacks",
    "test_properties_app",
    "test_projection_worker",
}


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the slow tests (the crawl, the load test, the attack corpus, whole-page properties, "
        "the projection worker's processes); CI does",
    )


def pytest_collection_modifyitems(config, items):
    """Mark each test by what it needs, so a quick loop can leave the slow kinds out (CI runs them all)."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        fixtures = set(getattr(item, "fixturenames", ()))  # with the fixtures' own fixtures
        if BROWSER_FIXTURES & fixtures:
            item.add_marker(pytest.mark.browser)
        if module in TRAIN_MODULES or TRAIN_FIXTURES & fixtures:
            item.add_marker(pytest.mark.train)
        if module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
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


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """After a fixture has trained a model, move what TensorFlow and Keras keep into the collector's
    permanent generation (gc.freeze): the objects live to the end of the session anyway, and later
    collections no longer walk them (test_properties_app with TensorFlow imported: 86 s -> 58 s)."""
    result = yield
    if fixturedef.argname in TRAIN_FIXTURES:
        import gc

        gc.collect()
        gc.freeze()
    return result


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(SLOW_LEFT_OUT, 0):
        terminalreporter.write_line(
            f"{config.stash[SLOW_LEFT_OUT]} slow tests were left out: `python -m pytest --slow` runs them (CI does)."
        )
