"""What the browser fetches besides the page: the LiteRT.js runtime and the models it runs.

Mounted by `streamlit_app.py` (Streamlit's `st.App(routes=...)`), next to Streamlit's own routes:

- `/runtime/litert-<version>/<file>`: the vendored runtime in `web/litert/`. The version is in the
  path, so browsers keep the files for a year. The 9 MB `.wasm` is stored gzipped and sent as it is
  stored, with `Content-Encoding: gzip`: the server never compresses it again.
- `/models/<checkpoint>/<role>.tflite?v=<digest>`: a checkpoint's own file (the one the server
  runs, not a copy), for the roles a page runs in the browser. The page asks for it with the
  file's digest in the query, so a retrained model is a new address and the old one may be cached
  for a year. It is compressed once per file and process (Streamlit's middleware compressed the
  8 MB emoji generator anew on every request: 0.4 s of CPU each).

`Accept-Encoding` is read with its q-values (`gzip;q=0` refuses gzip). What goes to a client that
refuses it, the unpacked wasm or a model as it is, is sent from a file, never held in memory per
connection (150 clients that never read had held 940 MB).

Anything else under these prefixes is a 404; a name with a path in it is refused before any file
is looked up. Imports Starlette (a Streamlit dependency), not Streamlit.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import uuid
from functools import lru_cache
from pathlib import Path

from explorer.checkpoint import BROWSER_ROLES, CheckpointError, checkpoint_root, read_checkpoint

RUNTIME_VERSION = "2.5.3"
RUNTIME_PREFIX = f"/runtime/litert-{RUNTIME_VERSION}"
RUNTIME_FOLDER = Path(__file__).resolve().parents[2] / "web" / "litert"
RUNTIME_FILES = {  # served name -> (stored name, media type)
    "litert.mjs": ("litert.mjs", "text/javascript"),
    "litert_wasm_compat_internal.js": ("litert_wasm_compat_internal.js", "text/javascript"),
    "litert_wasm_compat_internal.wasm": ("litert_wasm_compat_internal.wasm.gz", "application/wasm"),
}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
FOREVER = "public, max-age=31536000, immutable"


RUNTIME_URL = f"{RUNTIME_PREFIX}/litert_wasm_compat_internal.js"  # what `loadLiteRt` takes


def digest(path: Path) -> str:
    return _digest(Path(path), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _digest(path: Path, modified: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# The bundle is ours (web/litert/README.md: one change to it): its digest makes a new bundle a new address.
MODULE_URL = f"{RUNTIME_PREFIX}/litert.mjs?v={digest(RUNTIME_FOLDER / 'litert.mjs')}"


def model_url(checkpoint, role: str) -> str:
    """Where the page fetches a (loaded) checkpoint's `role` file; the digest makes a new file a new address."""
    return f"/models/{checkpoint.folder.name}/{role}.tflite?v={digest(checkpoint.file(role))}"


def model_file(name: str, role: str) -> Path | None:
    """The file a `/models/<name>/<role>.tflite` request may receive, or None."""
    if not NAME.match(name) or role not in BROWSER_ROLES:
        return None
    folder = checkpoint_root() / name
    try:
        return read_checkpoint(folder).file(role) if folder.is_dir() else None
    except CheckpointError:
        return None


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip: named (or `*`) with a q-value above 0."""
    weights = {}
    for part in (header or "").split(","):
        coding, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        weights[coding.strip().lower()] = quality
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


def routes() -> list:
    """The Starlette routes for `st.App`."""
    from starlette.responses import FileResponse, PlainTextResponse, Response
    from starlette.routing import Route

    def not_found() -> Response:
        return PlainTextResponse("Not found", status_code=404)

    def send(path: Path, media_type: str, cache: str, gzipped: Path | None, request) -> Response:
        """`path` as it is, or `gzipped` (the same bytes compressed) to a client that accepts gzip. Either
        way the response names its encoding, so Streamlit's middleware leaves it alone."""
        headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
        if gzipped is not None and accepts_gzip(request.headers.get("accept-encoding")):
            return FileResponse(gzipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(path, media_type=media_type, headers={**headers, "Content-Encoding": "identity"})

    async def runtime(request):
        entry = RUNTIME_FILES.get(request.path_params["file"])
        if entry is None:
            return not_found()
        stored, media_type = entry
        path = RUNTIME_FOLDER / stored
        if not stored.endswith(".gz"):
            return FileResponse(path, media_type=media_type, headers={"Cache-Control": FOREVER})
        return send(_unpacked(path), media_type, FOREVER, path, request)

    async def model(request):
        path = model_file(request.path_params["name"], request.path_params["role"])
        if path is None:
            return not_found()
        cache = FOREVER if request.query_params.get("v") == digest(path) else "no-cache"
        return send(path, "application/octet-stream", cache, packed(path), request)

    return [
        Route(RUNTIME_PREFIX + "/{file}", runtime, methods=["GET"]),
        Route("/models/{name}/{role}.tflite", model, methods=["GET"]),
    ]


def _cache_folder() -> Path:
    import tempfile

    folder = Path(tempfile.gettempdir()) / "latent-explorer-files"
    folder.mkdir(exist_ok=True)
    return folder


def _written_once(target: Path, make) -> Path:
    """`target`, written with `make()`'s bytes if it is not there yet (atomically: a name of its own, then renamed)."""
    if not target.is_file():
        part = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
        part.write_bytes(make())
        part.replace(target)
    return target


def packed(path: Path) -> Path:
    """The file gzipped, once per file and content (its digest in the name)."""
    return _packed_as(path, digest(path))


@lru_cache(maxsize=64)
def _packed_as(path: Path, name: str) -> Path:
    return _written_once(_cache_folder() / f"{name}.gz", lambda: gzip.compress(path.read_bytes(), 6))


@lru_cache(maxsize=4)
def _unpacked(path: Path) -> Path:
    """A .gz file unpacked, for the rare client that does not accept gzip."""
    return _written_once(_cache_folder() / f"{digest(path)}.unpacked", lambda: gzip.decompress(path.read_bytes()))
