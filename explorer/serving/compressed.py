"""Streamlit's own JavaScript and CSS, sent gzipped, each file compressed once.

Served as an `st.App` (uvicorn and Starlette), Streamlit sends its frontend uncompressed even to a
browser that accepts gzip: a first visit downloaded PlotlyChart's 4.7 MB of JavaScript as it is.
`CompressedFiles` answers those requests itself from a gzipped copy made once per file (the names
carry a hash of the content, so a file never changes), and passes every other request on.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from explorer.serving.routes import FOREVER, accepts_gzip, packed

COMPRESSIBLE = (".js", ".css", ".json", ".svg", ".html", ".map", ".txt", ".mjs")


class CompressedFiles:
    """ASGI middleware: GET `prefix`<file> answered from `root`/<file>, gzipped, when the browser accepts it."""

    def __init__(self, app, prefix: str, root: Path):
        self.app, self.prefix, self.root = app, prefix, Path(root).resolve()

    async def __call__(self, scope, receive, send):
        path = self._file(scope)
        if path is None:
            return await self.app(scope, receive, send)
        from starlette.responses import FileResponse

        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = {"Cache-Control": FOREVER, "Vary": "Accept-Encoding", "Content-Encoding": "gzip"}
        await FileResponse(packed(path), media_type=media_type, headers=headers)(scope, receive, send)

    def _file(self, scope) -> Path | None:
        """The file a request asks for, if this middleware answers it: a GET of a compressible file under
        the prefix, from a browser that accepts gzip, inside `root`."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        url_path = scope.get("path", "")
        if not url_path.startswith(self.prefix) or not url_path.endswith(COMPRESSIBLE):
            return None
        headers = dict(scope.get("headers") or [])
        if not accepts_gzip(headers.get(b"accept-encoding", b"").decode("latin-1")):
            return None
        path = (self.root / url_path[len(self.prefix) :]).resolve()
        return path if self.root in path.parents and path.is_file() else None
