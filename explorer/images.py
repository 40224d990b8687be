"""Images in and out: reading uploads safely, fitting them to a model, tiling, PNG and GIF bytes.

Uploads are untrusted: only the formats the upload field offers are decoded, size and pixel count
are capped before decoding, and every failure becomes an `ImageInputError` whose message can be
shown to the person who uploaded the file.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # larger files are refused before decoding
MAX_UPLOAD_PIXELS = 24_000_000  # width x height; stops decompression bombs
MAX_ASPECT_RATIO = 1000  # longest side / shortest; a 20,000,000×1 strip is refused, a 1×100 line is not
WORKING_SIDE = 1024  # every upload is reduced to this before any other work
EXIF_ORIENTATION = 0x0112  # the EXIF tag that says how a camera held the picture
# The upload field's types, by content, not by name: Pillow would hand an EPS to Ghostscript to run.
UPLOAD_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
MNIST_BOX = 20 / 28  # MNIST digits fill a 20 px box inside 28 px
INK_COVERAGE = 0.35  # a digit's strokes cover far less of its picture; more is a photo or a scene


class ImageInputError(ValueError):
    """An upload the app cannot use; the message says what was wrong."""


def read_upload(data: bytes) -> tuple[Image.Image, list[str]]:
    """Decode uploaded bytes into an RGB or L image; returns (image, notes for the user)."""
    if not data:
        raise ImageInputError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(
            f"The file is {len(data) / 1e6:.1f} MB; images up to {MAX_UPLOAD_BYTES // 2**20} MB are accepted."
        )
    notes = []
    try:
        image = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)
        _check_shape(image)
        if getattr(image, "is_animated", False):  # not n_frames: counting a TIFF's pages is quadratic in them
            notes.append("The image has several frames or pages; the first frame is used.")
        image.thumbnail((WORKING_SIDE, WORKING_SIDE))  # decodes the first frame only, reduced before any other work
        image.load()  # (thumbnail leaves a small image unread)
        if image.getexif().get(EXIF_ORIENTATION, 1) != 1:  # a phone's photo, stored sideways
            image = ImageOps.exif_transpose(image)
            notes.append("The image was turned upright, as its EXIF orientation says.")
    except ImageInputError:
        raise
    except UnidentifiedImageError:
        raise ImageInputError(
            "The file is not an image that can be read (try PNG, JPEG, GIF, BMP, WebP or TIFF)."
        ) from None
    except Image.DecompressionBombError:
        raise ImageInputError(
            f"The image has too many pixels; at most {MAX_UPLOAD_PIXELS / 1e6:.0f} million are accepted."
        ) from None
    except (OSError, ValueError, SyntaxError, TypeError):  # TypeError: e.g. a TIFF whose size tags were lost
        raise ImageInputError("The image file is truncated or damaged and cannot be decoded.") from None
    return to_8bit(image, notes), notes


def _check_shape(image: Image.Image) -> None:
    """Refuse, from the header alone, an image too large to decode or too long and thin to be a picture."""
    width, height = image.size
    if width * height > MAX_UPLOAD_PIXELS:
        raise ImageInputError(
            f"The image is {width}×{height} pixels; at most {MAX_UPLOAD_PIXELS / 1e6:.0f} million pixels are accepted."
        )
    if max(width, height) > MAX_ASPECT_RATIO * max(1, min(width, height)):
        raise ImageInputError(
            f"The image is {width}×{height} pixels, more than {MAX_ASPECT_RATIO} times as long as "
            "it is wide; crop it closer to what it shows."
        )


def to_8bit(image: Image.Image, notes: list[str]) -> Image.Image:
    """Flatten any mode (16-bit, float, CMYK, palette, alpha) to 8-bit L or RGB on white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype="float64")
        finite = np.isfinite(values)  # a float image may mark "no data" with NaN; those pixels become black
        low, high = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 0.0)
        scaled = np.where(finite, (values - low) / (high - low) * 255, 0) if high > low else np.zeros_like(values)
        notes.append(f"The image is {image.mode} (more than 8 bits); it was scaled to 8 bits.")
        return Image.fromarray(scaled.round().astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        notes.append("Transparent parts were placed on white.")
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode == "CMYK":
        notes.append("The CMYK image was converted to RGB.")
    if image.mode in ("L", "RGB"):
        return image
    return image.convert("L" if image.mode == "1" else "RGB")


def fit_to_model(image: Image.Image, image_shape: tuple, preprocess: str) -> tuple[np.ndarray, list[str]]:
    """The uint8 (H, W, C) array the model sees for an uploaded image, and notes on what changed."""
    height, width, channels = image_shape
    if preprocess == "mnist":
        return _fit_like_mnist(image, height, width)
    rgb = ImageOps.pad(image.convert("RGB"), (width, height), color=(255, 255, 255), method=Image.Resampling.LANCZOS)
    array = np.asarray(rgb if channels == 3 else rgb.convert("L"), dtype=np.uint8)
    return array.reshape(height, width, channels), []


def _fit_like_mnist(image: Image.Image, height: int, width: int) -> tuple[np.ndarray, list[str]]:
    """Light ink on black, cropped to the ink, scaled into a centred box, as MNIST was made."""
    notes = []
    grey = np.asarray(image.convert("L"), dtype="float32")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if border.mean() > 127:
        grey = 255 - grey
        notes.append("Dark ink on a light background was inverted to light on dark, as in MNIST.")
    grey -= np.median(border if border.mean() <= 127 else 255 - border)
    grey = np.clip(grey, 0, None)
    if grey.max() < 16:
        raise ImageInputError("The image looks blank: no strokes stand out from the background.")
    grey *= 255.0 / grey.max()
    colourful = (
        image.mode in ("RGB", "RGBA") and float(np.ptp(np.asarray(image.convert("RGB"), "int16"), axis=2).mean()) > 40
    )
    if colourful or np.mean(grey > 40) > INK_COVERAGE:
        notes.append(
            "This model knows only handwritten digits (light strokes on black): a photo or a picture of "
            "anything else comes back as the digit it most resembles."
        )
    top, bottom, left, right = _ink_box(grey > 40)
    cropped = Image.fromarray(grey[top:bottom, left:right].astype(np.uint8))
    box = max(1, round(min(height, width) * MNIST_BOX))
    scale = box / max(cropped.size)
    size = (max(1, round(cropped.width * scale)), max(1, round(cropped.height * scale)))
    digit = np.asarray(cropped.resize(size, Image.Resampling.LANCZOS), dtype="float32")
    canvas = np.zeros((height, width), dtype="float32")
    ys, xs = np.indices(digit.shape)
    mass = digit.sum() or 1.0
    top = int(round(height / 2 - (ys * digit).sum() / mass))
    left = int(round(width / 2 - (xs * digit).sum() / mass))
    top = min(max(top, 0), height - digit.shape[0])
    left = min(max(left, 0), width - digit.shape[1])
    canvas[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return np.clip(canvas, 0, 255).astype(np.uint8)[..., None], notes


def _ink_box(ink: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the True pixels, without an index array per pixel."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Model output in [0, 1] -> uint8."""
    return (np.clip(images, 0.0, 1.0) * 255).round().astype(np.uint8)


def tile(images: np.ndarray, columns: int, gap: int = 2, gap_value: int = 90) -> np.ndarray:
    """Lay (N, H, W, C) images out in rows of `columns`, with a thin separating gap."""
    count, height, width, channels = images.shape
    rows = -(-count // columns)
    canvas = np.full(
        (rows * (height + gap) - gap, columns * (width + gap) - gap, channels), gap_value, dtype=images.dtype
    )
    for index, image in enumerate(images):
        r, c = divmod(index, columns)
        canvas[r * (height + gap) : r * (height + gap) + height, c * (width + gap) : c * (width + gap) + width] = image
    return canvas


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement: every pixel becomes a factor x factor block."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def to_pil(image: np.ndarray) -> Image.Image:
    return Image.fromarray(image.squeeze(-1) if image.shape[-1] == 1 else image)


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    to_pil(image).save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_uri(image: np.ndarray) -> str:
    """The image as an inline `data:` URL: no separate request for the browser to make."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def gif_bytes(frames: np.ndarray, frame_ms: int = 120, bounce: bool = True) -> bytes:
    """An endlessly looping GIF of (N, H, W, C) frames; `bounce` plays it forward then back."""
    sequence = list(frames) + (list(frames[-2:0:-1]) if bounce else [])
    pictures = [to_pil(frame) for frame in sequence]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=frame_ms, loop=0, disposal=2
    )
    return buffer.getvalue()
