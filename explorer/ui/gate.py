"""Every message a browser sends over Streamlit's WebSocket, checked before Streamlit reads it.

Streamlit trusts what arrives: a component state that is not JSON raised inside Streamlit on every
rerun after it (the session broken until reload), a NaN in a number field raised in the page, eight
million empty lists in a state value took 600 MB to parse, and any visitor could send "clear cache",
which empties every visitor's caches (the models reload) without a menu ever offering it. The gate,
an ASGI middleware in front of Streamlit, reads each message (a protobuf BackMsg) and:

- drops the developer requests a public app's visitors have no menu for (`clear_cache`,
  `set_run_on_save`) and anything that is not a BackMsg;
- removes from a rerun every widget state no browser would send: a number that is NaN or infinite,
  JSON that does not parse or holds NaN, or JSON of more than MAX_JSON_CONTAINERS lists and objects.

What is removed is as if never sent: the session keeps its last values and goes on. The pages still
check every value they use (a slider's range, a row of the data set); this only keeps Streamlit
itself from tripping over what a page never sees.
"""

from __future__ import annotations

import json
import math

from google.protobuf.message import DecodeError

from explorer.ui.streamlit_internals import BackMsg

STREAM_PATH = "/_stcore/stream"
REFUSED_MESSAGES = frozenset({"clear_cache", "set_run_on_save"})
# Lists and objects in one JSON state. The most an honest page sends: the Text page's 2,000
# characters, two short lists each (4,001); junk of "[]," in 4 MB would be 1.3 million.
MAX_JSON_CONTAINERS = 50_000


def checked(data: bytes) -> bytes | None:
    """The message as Streamlit may read it: the same bytes, a copy without its bad widget states,
    or None to drop it. A message over `server.maxWidgetStateSize` goes on unread: Streamlit closes
    that connection."""
    if len(data) > _size_limit():
        return data
    message = BackMsg()
    try:
        message.ParseFromString(data)
    except DecodeError:
        return None
    kind = message.WhichOneof("type")
    if kind in REFUSED_MESSAGES:
        return None
    if kind != "rerun_script":
        return data
    widgets = message.rerun_script.widget_states.widgets
    kept = [widget for widget in widgets if honest(widget)]
    if len(kept) == len(widgets):
        return data
    del widgets[:]
    widgets.extend(kept)
    return message.SerializeToString()


def honest(widget) -> bool:
    """Whether a widget state is one a browser's page could have sent."""
    kind = widget.WhichOneof("value")
    if kind == "double_value":
        return math.isfinite(widget.double_value)
    if kind == "double_array_value":
        return all(math.isfinite(value) for value in widget.double_array_value.data)
    if kind in ("json_value", "json_trigger_value"):
        return is_plain_json(getattr(widget, kind))
    return True


def is_plain_json(text: str) -> bool:
    """JSON as a browser's JSON.stringify writes it: it parses, holds no NaN or Infinity, and has at
    most MAX_JSON_CONTAINERS lists and objects (counted before parsing, which is what costs)."""
    if text.count("[") + text.count("{") > MAX_JSON_CONTAINERS:
        return False
    try:
        json.loads(text, parse_constant=_not_a_number)
    except (ValueError, RecursionError):
        return False
    return True


def _size_limit() -> int:
    from streamlit import config

    return int(config.get_option("server.maxWidgetStateSize") * 1e6)


def _not_a_number(name: str):
    raise ValueError(f"{name} is not JSON")


class BrowserInputGate:
    """ASGI middleware: Streamlit's WebSocket receives only messages `checked` lets through."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket" or not scope.get("path", "").endswith(STREAM_PATH):
            return await self.app(scope, receive, send)

        async def checked_receive():
            while True:
                message = await receive()
                data = message.get("bytes") if message.get("type") == "websocket.receive" else None
                if data is None:
                    return message
                clean = checked(data)
                if clean is not None:
                    return {**message, "bytes": clean}

        return await self.app(scope, checked_receive, send)
