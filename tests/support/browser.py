"""Real browser: Playwright in Debian's Chromium. Every page fails its test on an error in the browser
console or an uncaught exception; the waits read Streamlit's own state, never a sleep."""

from __future__ import annotations

import os

import pytest


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
