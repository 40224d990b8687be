"""One browser tab's worth of Streamlit's WebSocket protocol, spoken by a script.

`StreamlitSession` sends the BackMsgs a browser sends (open a page, set widgets) and reads the
ForwardMsgs that come back into a `Run`: what the page drew, its error messages, how long it took.
The load test runs thirty of them; the channel attacks send what no browser would.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ACTION_TIMEOUT = 120.0  # s without `script_finished` before an action counts as timed out
TEXT_FENCE = "```text\n"  # the Text page streams into a fenced code block


# One session ------------------------------------------------------------------------


@dataclass
class Run:
    """What one script run sent back."""

    drawn: dict = field(default_factory=dict)  # delta path -> Element drawn there by this run
    problems: list = field(default_factory=list)  # (kind, sentence): exceptions and error messages shown
    seconds: float = 0.0  # BackMsg sent -> script_finished
    first_text_seconds: float | None = None  # BackMsg sent -> first generated characters (Text)


class StreamlitSession:
    """One browser tab's worth of Streamlit's protocol: open a page, set widgets, await the run."""

    def __init__(self, socket):
        self.socket = socket
        self.page_hashes: dict[str, str] = {}  # url path -> page script hash, from the navigation message
        self.page_hash = ""  # the page now open
        # Reruns send the query the page was opened with: after a page's first run its widgets' values
        # come from the session, not the URL (and the server's URL updates while it switches pages can
        # still name the previous page's widgets).
        self.query_string = ""
        self.elements: dict = {}  # delta path -> (Element, fragment id): what the page shows
        self.message_cache: dict = {}  # hash -> [ForwardMsg, run it was last used in]: the browser's cache
        self.max_cached_message_age = 2  # runs; the server says how many in new_session
        self.runs = 0

    @classmethod
    async def connect(cls, url: str) -> StreamlitSession:
        """Load the page's HTML, then open its socket with the cookies that came with it, as a browser
        does: behind a balancer (deploy/nginx.conf) the cookie keeps the socket on the page's process."""
        cookies = await asyncio.to_thread(page_cookies, url)
        socket = await connect(
            url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=ACTION_TIMEOUT,
            additional_headers={"Cookie": cookies} if cookies else None,
        )
        return cls(socket)

    async def close(self) -> None:
        await self.socket.close()

    async def open(self, page: str, query: str = "") -> Run:
        """Navigate to /page?query, as a click on the page's link (or a first visit) does."""
        message = BackMsg()
        message.rerun_script.query_string = self.query_string = query
        if page in self.page_hashes:
            message.rerun_script.page_script_hash = self.page_hashes[page]
        else:  # a first visit knows only the URL
            message.rerun_script.page_name = page
        return await self._run(message, fragment=False)

    async def set_widgets(self, values: dict) -> Run:
        """Rerun with new widget values, {key: (WidgetState field, value)}, as a browser does after an edit.

        Widgets inside a fragment rerun only that fragment, as in the browser.
        """
        message = BackMsg()
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query_string, self.page_hash
        fragments = set()
        for key, (kind, value) in values.items():
            widget_id, fragment_id = self.widget(key)
            widget = state.widget_states.widgets.add(id=widget_id)
            if kind == "double_array_value":
                widget.double_array_value.data[:] = value
            else:
                setattr(widget, kind, value)
            fragments.add(fragment_id)
        if len(fragments) == 1 and "" not in fragments:
            state.fragment_id = fragments.pop()
        return await self._run(message, fragment=bool(state.fragment_id))

    def widget(self, key: str) -> tuple[str, str]:
        """(widget id, fragment id) of the widget with this key on the page now open."""
        for element, fragment_id in self.elements.values():
            widget_id = getattr(getattr(element, element.WhichOneof("type")), "id", "")
            if widget_id.endswith(f"-{key}"):  # Streamlit's ids end with the widget's key
                return widget_id, fragment_id
        raise LookupError(f"No widget with key {key!r} on the page.")

    async def _run(self, message, fragment: bool) -> Run:
        message.rerun_script.cached_message_hashes.extend(self.message_cache)
        run = Run()
        if not fragment:
            self.elements = {}
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        async with asyncio.timeout(ACTION_TIMEOUT):
            while not self._receive(await self.socket.recv(), run, started):
                pass
        run.seconds = time.perf_counter() - started
        return run

    def _receive(self, raw: bytes, run: Run, started: float) -> bool:
        """Take in one ForwardMsg; True once the run has finished."""
        message = self._resolve(ForwardMsg.FromString(raw), run)
        kind = message.WhichOneof("type")
        if kind == "delta":
            self._draw(message, run, started)
        elif kind == "new_session":
            self.max_cached_message_age = message.new_session.config.max_cached_message_age or 2
        elif kind == "navigation":
            self.page_hashes = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
            self.page_hash = message.navigation.page_script_hash
        elif kind == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:  # the rerun it asked for follows
                return False
            if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                run.problems.append(("failed run", "the script did not compile"))
            self.runs += 1
            self._expire_cached_messages()
            return True
        return False

    def _resolve(self, message, run: Run):
        """A reference to a message this client holds becomes that message, as in the browser."""
        if message.WhichOneof("type") == "ref_hash":
            entry = self.message_cache.get(message.ref_hash)
            if entry is None:
                run.problems.append(("protocol", f"the server referred to a message never sent: {message.ref_hash}"))
                return message
            entry[1] = self.runs
            resolved = type(message)()
            resolved.CopyFrom(entry[0])
            resolved.metadata.CopyFrom(message.metadata)  # the reference says where it goes
            return resolved
        if message.metadata.cacheable:
            self.message_cache[message.hash] = [message, self.runs]
        return message

    def _expire_cached_messages(self) -> None:
        for key in [k for k, (_, used) in self.message_cache.items() if self.runs - used > self.max_cached_message_age]:
            del self.message_cache[key]

    def _draw(self, message, run: Run, started: float) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        path, element = tuple(message.metadata.delta_path), delta.new_element
        self.elements[path] = (element, delta.fragment_id)
        run.drawn[path] = element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.problems.append(("exception", f"{element.exception.type}: {element.exception.message}"))
        elif kind == "alert" and element.alert.format == Alert.ERROR:  # st.error
            run.problems.append(("error message", element.alert.body))
        elif (
            kind == "markdown"
            and run.first_text_seconds is None
            and element.markdown.body.startswith(TEXT_FENCE)
            and len(element.markdown.body) > len(TEXT_FENCE)
        ):
            run.first_text_seconds = time.perf_counter() - started


def page_cookies(url: str) -> str:
    """The cookies a first visit to `url` is given, as a Cookie header's value."""
    with urllib.request.urlopen(url.rstrip("/") + "/", timeout=ACTION_TIMEOUT) as response:
        return "; ".join(header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or [])


def run_coroutine(coroutine):
    """`asyncio.run` in a thread of its own: the caller may already run an event loop (pytest-playwright does)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
