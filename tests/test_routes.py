"""The routes that serve the browser its runtime and models (explorer/serving/routes.py), over HTTP."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, read_checkpoint
from explorer.serving.routes import MODULE_URL, RUNTIME_FOLDER, RUNTIME_URL, model_url


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_the_runtime_is_served_compressed_once_and_cached_for_a_year(app_url):
    status, headers, body = fetch(app_url + RUNTIME_URL.replace(".js", ".wasm"), **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-type"] == "application/wasm"
    assert headers["content-encoding"] == "gzip" and "immutable" in headers["cache-control"]
    assert body == (RUNTIME_FOLDER / "litert_wasm_compat_internal.wasm.gz").read_bytes(), "sent as stored"
    assert gzip.decompress(body)[:4] == b"\0asm"
    for refusal in ("identity", "gzip;q=0, identity", "br, gzip; q=0"):  # "gzip;q=0" had got gzip
        status, headers, body = fetch(app_url + RUNTIME_URL.replace(".js", ".wasm"), **{"Accept-Encoding": refusal})
        assert status == 200 and body[:4] == b"\0asm" and headers.get("content-encoding", "identity") == "identity"
    status, headers, _ = fetch(app_url + MODULE_URL)
    assert status == 200 and headers["content-type"].startswith("text/javascript")


def test_a_model_is_the_checkpoints_own_file_at_an_address_that_changes_with_it(app_url):
    folder = SHIPPED_CHECKPOINTS / "mnist-vae-16d"
    address = model_url(read_checkpoint(folder), "decoder")
    status, headers, body = fetch(app_url + address)
    assert status == 200 and body == (folder / "decoder.tflite").read_bytes()
    assert "immutable" in headers["cache-control"]
    status, headers, _ = fetch(app_url + address.split("?")[0] + "?v=0000")  # an old address: not for a year
    assert status == 200 and headers["cache-control"] == "no-cache"


def test_a_model_is_compressed_once_and_sent_as_the_client_accepts(app_url):
    """Streamlit's middleware compressed the 8 MB emoji generator anew for every request (0.4 s of CPU)."""
    import time

    folder = SHIPPED_CHECKPOINTS / "emoji-gan"
    address = app_url + model_url(read_checkpoint(folder), "generator")
    original = (folder / "generator.tflite").read_bytes()
    status, headers, body = fetch(address, **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == original
    started = time.perf_counter()
    for _ in range(5):
        assert fetch(address, **{"Accept-Encoding": "gzip"})[2] == body  # the same stored bytes each time
    assert (time.perf_counter() - started) / 5 < 0.25, "each later request sends the file compressed before"
    status, headers, body = fetch(address, **{"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and body == original and headers["content-encoding"] == "identity"


@pytest.mark.parametrize(
    "header, gzip_ok",
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("identity", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=abc", False),
        ("", False),
        (None, False),
        ("x-gzip", True),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header, gzip_ok):
    from explorer.serving.routes import accepts_gzip

    assert accepts_gzip(header) is gzip_ok


@pytest.mark.parametrize(
    "path",
    [
        "/models/mnist-vae-16d/encoder.tflite",  # not a file the pages run
        "/models/mnist-vae-16d/weights.tflite",
        "/models/..%2F..%2Fetc/decoder.tflite",
        "/models/.hidden/decoder.tflite",
        "/models/no-such-model/decoder.tflite",
        "/runtime/litert-2.5.3/LICENSE",
        "/runtime/litert-2.5.3/..%2F..%2Fexplorer%2Fconfig.py",
    ],
)
def test_nothing_else_is_served(app_url, path):
    status, _, body = fetch(app_url + path)
    assert status in (400, 404) and b"import" not in body


def test_the_shipped_browser_models_declare_batch_one_store_float16_and_serve_any_batch():
    """LiteRT.js refuses a declared batch of −1; Python resizes a batch-1 file to any batch, alike.
    The weights are stored as float16: half the bytes of a first visit."""
    from ai_edge_litert.interpreter import Interpreter

    from explorer.serving.runtime import LiteModel

    files = [*SHIPPED_CHECKPOINTS.glob("*/decoder.tflite"), *SHIPPED_CHECKPOINTS.glob("*/generator.tflite")]
    files += [*SHIPPED_CHECKPOINTS.glob("*/step.tflite")]
    assert len(files) >= 6
    for path in files:
        interpreter = Interpreter(model_path=str(path))
        assert interpreter.get_input_details()[0]["shape_signature"][0] == 1, path
        stored = [t for t in interpreter.get_tensor_details() if t["dtype"] == np.float16]
        assert sum(int(np.prod(t["shape"])) for t in stored) * 2 > 0.9 * path.stat().st_size, path
        model = LiteModel(path)
        x = np.random.default_rng(0).standard_normal((5, *model.input_shape)).astype("float32")
        if path.name == "step.tflite":
            x[:, 0] = np.arange(5)  # a character id, then the state
        together = model(x)
        one_by_one = np.concatenate([model(row[None]) for row in x])
        assert np.abs(together - one_by_one).max() < 1e-5, path


def compressed_app(root):
    """CompressedFiles in front of an app that answers every request it is passed with "inner"."""
    from starlette.responses import PlainTextResponse

    from explorer.serving.compressed import CompressedFiles

    async def inner(scope, receive, send):
        await PlainTextResponse("inner")(scope, receive, send)

    return CompressedFiles(inner, prefix="/static/", root=root)


def asgi_get(app, path: str, accept: str) -> tuple[int, dict, bytes]:
    """A GET through an ASGI app, as uvicorn would make it: (status, headers, body)."""
    import asyncio

    from tools.streamlit_client import run_coroutine

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"accept-encoding", accept.encode())], "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 80), "root_path": ""}  # fmt: skip
    sent, asked = [], []

    async def receive():  # the request once; then, as a browser still connected, nothing more
        asked.append(1)
        if len(asked) > 1:
            await asyncio.sleep(3600)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    run_coroutine(app(scope, receive, send))  # in a thread of its own: a browser test's loop may be running here
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_streamlits_javascript_goes_out_gzipped_and_as_it_was(tmp_path):
    """Served as an st.App, Streamlit sent its 4.7 MB PlotlyChart chunk uncompressed to every first visit."""
    (tmp_path / "js").mkdir()
    script = b"function plot() { return 'a long chunk of JavaScript'; }\n" * 2_000
    (tmp_path / "js" / "chunk.abc123.js").write_bytes(script)
    status, headers, body = asgi_get(compressed_app(tmp_path), "/static/js/chunk.abc123.js", "br, gzip")
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == script
    assert int(headers["content-length"]) == len(body) < len(script) / 10
    assert "immutable" in headers["cache-control"] and headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith(("application/javascript", "text/javascript"))


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/static/js/chunk.abc123.js", "identity"),  # a browser that does not take gzip
        ("/static/js/chunk.abc123.js", "gzip;q=0"),
        ("/static/media/font.woff2", "gzip"),  # already compressed
        ("/static/js/missing.js", "gzip"),
        ("/static/js/%2e%2e/%2e%2e/secret.js", "gzip"),  # outside the folder
        ("/vae", "gzip"),
    ],
)
def test_anything_else_passes_to_streamlit(tmp_path, path, accept):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "js").mkdir()
    (tmp_path / "static" / "media").mkdir()
    (tmp_path / "static" / "js" / "chunk.abc123.js").write_text("x" * 5_000)
    (tmp_path / "static" / "media" / "font.woff2").write_bytes(b"\0" * 5_000)
    (tmp_path / "secret.js").write_text("the server's own file")
    status, headers, body = asgi_get(compressed_app(tmp_path / "static"), path, accept)
    assert body == b"inner" and "content-encoding" not in headers
