"""Small hostile files, made on the spot: each once cost the server minutes of CPU or gigabytes.

Every maker returns (file name, bytes). `measure` runs one through the code the page runs, in a
fresh process, and reports what it said, how long it took and how much memory it added; the
`Attacker` uploads them all, again and again, into a running app from Chromium (the load test's
`--attacker`). Tooling: tests and the load test use it, the app never does.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
IMAGE_ATTACKS = ("many_page_tiff", "long_thin_png", "all_ink_png")


def many_page_tiff(pages: int = 60_000) -> tuple[str, bytes]:
    """A TIFF of `pages` 1×1 pages (100 bytes each): Pillow's frame count is quadratic in them."""
    tags = [
        (256, 3, 1, 1),
        (257, 3, 1, 1),
        (258, 3, 1, 8),
        (259, 3, 1, 1),
        (262, 3, 1, 1),
        (273, 4, 1, 8),
        (278, 3, 1, 1),
        (279, 4, 1, 1),
    ]  # width, height, 8 bits, raw, grey, one strip
    ifd_size = 2 + 12 * len(tags) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 10) + b"\x80\x00")  # header, then the one pixel at offset 8
    for page in range(pages):
        start = 10 + page * ifd_size
        out += struct.pack("<H", len(tags))
        for tag, kind, count, value in tags:
            out += struct.pack("<HHII", tag, kind, count, value)
        out += struct.pack("<I", start + ifd_size if page < pages - 1 else 0)
    return "pages.tiff", bytes(out)


def long_thin_png(length: int = 20_000_000) -> tuple[str, bytes]:
    """A 20,000,000×1 PNG of 20 KB: under the pixel cap, but resizing it builds huge tables."""
    buffer = io.BytesIO()
    Image.new("L", (length, 1), 255).save(buffer, "PNG")
    return "thin.png", buffer.getvalue()


def all_ink_png(side: int = 4_800) -> tuple[str, bytes]:
    """A 4,800² PNG of ~70 KB, light all over inside a dark frame: to a digit model, ink everywhere."""
    image = Image.new("L", (side, side), 0)
    image.paste(255, (1, 1, side - 1, side - 1))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "ink.png", buffer.getvalue()


def lying_zip(real_mb: int = 300, declared: int = 1_000) -> tuple[str, bytes]:
    """A zip whose one member says it unpacks to `declared` bytes and unpacks to `real_mb` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vectors.tsv", b"0\t" * (real_mb * 2**19))
    data = bytearray(buffer.getvalue())
    real = real_mb * 2**20
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        at = data.find(signature)
        assert struct.unpack_from("<I", data, at + offset)[0] == real
        struct.pack_into("<I", data, at + offset, declared)
    return "lying.zip", bytes(data)


def many_entry_zip(entries: int = 60_000) -> tuple[str, bytes]:
    """A zip of `entries` empty files (~6 MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number in range(entries):
            archive.writestr(f"{number}.tsv", b"")
    return "entries.zip", buffer.getvalue()


def one_long_label(rows: int = 200_000, length: int = 1_000) -> dict[str, bytes]:
    """200,000 points (1.4 MB) and a metadata column whose one value is 1,000 characters long: as numpy's
    fixed-width text, every row as wide as that one (800 MB, and again in every copy a rerun made)."""
    vectors = b"".join(b"%d\t%d\n" % (i % 7, i % 5) for i in range(rows))
    labels = [b"p%d" % (i % 50) for i in range(rows)]
    labels[7] = b"y" * length
    return {"vectors.tsv": vectors, "metadata.tsv": b"\n".join(labels) + b"\n"}


def one_file_many_entries(entries: int = 20, megabytes: int = 10) -> dict[str, bytes]:
    """A 1 KB projector_config.json whose `entries` embeddings all name one large .bytes file: every
    entry was read, though the page shows one (20 x 49 MB: 1.2 GB at the peak, 5.8 s)."""
    points = megabytes * 2**20 // (4 * 64)
    config = {
        "embeddings": [
            {"tensorName": f"e{i}", "tensorPath": "big.bytes", "tensorShape": [points, 64]} for i in range(entries)
        ]
    }
    vectors = np.random.default_rng(0).normal(size=(points, 64)).astype("<f4").tobytes()
    return {"projector_config.json": json.dumps(config).encode(), "big.bytes": vectors}


def huge_sprite_upload(side: int = 8_000, mode: str = "RGBA") -> dict[str, bytes]:
    """A Projector upload of 4 points whose sprite is a blank 8,000² RGBA PNG (~250 KB)."""
    buffer = io.BytesIO()
    Image.new(mode, (side, side), 0).save(buffer, "PNG")
    vectors = "\n".join("\t".join(str(v) for v in row) for row in np.eye(4)).encode()
    config = {
        "embeddings": [
            {
                "tensorName": "t",
                "tensorPath": "vectors.tsv",
                "sprite": {"imagePath": "sprite.png", "singleImageDim": [side // 2, side // 2]},
            }
        ]
    }
    return {
        "projector_config.json": json.dumps(config).encode(),
        "vectors.tsv": vectors,
        "sprite.png": buffer.getvalue(),
    }


MARKDOWN_NAMES = (
    "[Sign in](https://evil.example)",
    "![](http://127.0.0.1:8699/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` # head",
)

# What `measure` runs: the calls the VAE page and the Projector page make on an upload.
_RUNNER = """
import json, pathlib, resource, sys, time
from explorer.images import ImageInputError, fit_to_model, read_upload
from explorer.projector.files import ProjectorFileError
from explorer.projector.uploads import load_projector_upload
kind, folder = sys.argv[1], pathlib.Path(sys.argv[2])
files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
try:
    if kind == "image":
        (data,) = files.values()
        image, notes = read_upload(data)
        fit_to_model(image, (28, 28, 1), "mnist")
        fit_to_model(image, (32, 32, 3), "pad")
        said = " ".join(notes)
    else:
        load_projector_upload(files)
        said = ""
except (ImageInputError, ProjectorFileError) as error:
    said = str(error)
print(json.dumps({"said": said, "cpu_s": time.process_time() - started,
                  "added_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""


def measure(kind: str, files: dict[str, bytes], timeout: float = 300) -> dict:
    """Run an upload through the page's code in a fresh process: what it said, CPU seconds, MB added at peak."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        output = subprocess.run(
            [sys.executable, "-c", _RUNNER, kind, folder],
            cwd=ROOT,
            capture_output=True,
            timeout=timeout,
            check=True,
        ).stdout
    return json.loads(output.decode().strip().splitlines()[-1])


class Attacker:
    """One visitor in Chromium uploading every hostile file, in turn, until stopped: VAE and Projector."""

    def __init__(self, url: str, folder: Path):
        import threading

        self.url, self.folder = url, Path(folder)
        self.uploads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="attacker")

    def start(self) -> Attacker:
        self._write_files()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(120)

    def _write_files(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.images = []
        for maker in IMAGE_ATTACKS:
            name, data = globals()[maker]()
            (self.folder / name).write_bytes(data)
            self.images.append(self.folder / name)
        self.projector = []
        for name, data in (lying_zip(), many_entry_zip()):
            (self.folder / name).write_bytes(data)
            self.projector.append([self.folder / name])
        sprite = self.folder / "sprite"
        sprite.mkdir(exist_ok=True)
        for name, data in huge_sprite_upload().items():
            (sprite / name).write_bytes(data)
        self.projector.append(sorted(sprite.iterdir()))

    def _run(self) -> None:
        from playwright.sync_api import Error, sync_playwright

        from tools.local_server import CHROMIUM, CHROMIUM_FLAGS

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            while not self._stop.is_set():
                for address, uploads in (
                    (
                        "/vae?model=mnist-vae-16d&section=Start+from+an+example&example_source=Upload+your+own",
                        [[f] for f in self.images],
                    ),
                    ("/projector?data=Upload+Projector+files", self.projector),
                ):
                    for files in uploads:
                        if self._stop.is_set():
                            break
                        try:
                            page.goto(self.url + address)
                            field = page.locator("[data-testid='stFileUploaderDropzoneInput']")
                            field.wait_for(state="attached", timeout=30_000)
                            field.set_input_files([str(f) for f in files])
                            self.uploads += 1
                            page.wait_for_timeout(3_000)  # a person reads the sentence
                        except Error:
                            continue  # a timeout under load: the next file
            browser.close()
