"""The routes that serve the browser its runtime and models (explorer/serving/routes.py), over HTTP."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

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
