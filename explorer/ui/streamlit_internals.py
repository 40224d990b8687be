"""What the app needs from Streamlit that its public API does not offer, in one place.

Each name here is an internal of Streamlit 1.67 (requirements.txt pins it); an upgrade that moves
one breaks this module alone, and the tests that use it say so.

- `BackMsg`: the protobuf of every message a browser sends over the WebSocket. The gate
  (explorer/ui/gate.py) reads it to drop hostile widget states before Streamlit parses them.
- `RerunException`: what a progress bar's update raises when the visitor moved a widget meanwhile.
  A projection that took a minute is finished and cached before the rerun goes on.
- `forget_uploads`: drops a session's uploads from Streamlit's in-memory store at once (refused
  ones, and images the page has read); otherwise they stay until the session ends. `let_go` says
  whether a file uploader's value is such a file: Streamlit then hands back a `DeletedFile`, and
  calls the uploader's `on_change` with it.
"""

from __future__ import annotations

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.uploaded_file_manager import DeletedFile

__all__ = ["BackMsg", "RerunException", "forget_uploads", "let_go"]


def let_go(value) -> bool:
    """True for a file uploader's value whose file `forget_uploads` removed."""
    return isinstance(value, DeletedFile)


def forget_uploads(files: list) -> None:
    """Remove these uploaded files from the session's upload store (when the store can)."""
    context = get_script_run_ctx()
    remove = getattr(getattr(context, "uploaded_file_mgr", None), "remove_file", None)  # the in-memory store has it
    if remove is not None:
        for file in files:
            remove(context.session_id, file.file_id)
