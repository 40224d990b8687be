"""The routes that serve the browser its runtime and models (explorer/serving/routes.py), over HTTP."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS


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
