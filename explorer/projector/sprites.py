"""The Projector's sprite: every thumbnail in one PNG or JPEG, in a square grid, read and written.

The image's header is read first: a sprite too large in pixels or decoded bytes is refused before
it is decoded, and thumbnails are kept small (`files.MAX_THUMBNAIL_SIDE`, `MAX_THUMBNAIL_BYTES`).
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, UnidentifiedImageError

from explorer.images import png_bytes, to_8bit
from explorer.projector import files
from explorer.projector.files import ProjectorFileError


def read_sprite(
    data: bytes, single_image_dim: tuple[int, int], count: int, filename: str = files.SPRITE_NAME
) -> np.ndarray:
    """`count` thumbnails (count, h, w, C) uint8 cut row-major from a sprite of [w, h] cells; C is 3, or 1 if grey."""
    width, height = _check_single_image_dim(single_image_dim, filename)
    image = open_image(data, filename)
    per_row = image.width // width
    rows_used = -(-count // per_row) if per_row else math.inf
    if image.width % width or image.height < rows_used * height:
        side = files.grid_side(count)
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels, but {count:,} thumbnails of "
            f"{width}×{height} in a square grid {side} wide need {side * width}×{side * height} "
            "pixels; check the thumbnail size (singleImageDim)."
        )
    scale = min(
        1.0,
        files.MAX_THUMBNAIL_SIDE / max(width, height),
        math.sqrt(files.MAX_THUMBNAIL_BYTES / (count * 3 * width * height)),
    )
    if scale < 1:  # shrink the used part of the sprite as a whole: the grid stays aligned, and no full-size copy
        used = (0, 0, per_row * width, rows_used * height)
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
        try:
            image = image.resize((per_row * width, rows_used * height), Image.Resampling.BOX, box=used)
        except (OSError, ValueError, SyntaxError):
            raise ProjectorFileError(
                f"{filename} is truncated or damaged and cannot be decoded; export it again."
            ) from None
    pixels = _decode_pixels(image, filename)[: rows_used * height, : per_row * width]
    channels = pixels.shape[-1]
    cells = pixels.reshape(rows_used, height, per_row, width, channels).transpose(0, 2, 1, 3, 4)
    return np.ascontiguousarray(cells.reshape(-1, height, width, channels)[:count])


def _check_single_image_dim(single_image_dim, filename: str) -> tuple[int, int]:
    """[width, height] as two positive ints, however the config or the page spelled them."""
    try:
        width, height = (int(size) for size in single_image_dim)
        whole = all(float(size) == int(size) for size in single_image_dim)
    except (TypeError, ValueError, OverflowError):  # OverflowError: infinity, or an int beyond any float
        width = height = whole = 0
    if isinstance(single_image_dim, str) or not whole or width < 1 or height < 1:  # "12" is not [1, 2]
        raise ProjectorFileError(
            f"The thumbnail size for {filename} must be two positive whole numbers "
            f"[width, height] in pixels, not {single_image_dim!r}."
        )
    return width, height


def open_image(data: bytes, filename: str) -> Image.Image:
    """The image with only its header read, so a size too large is refused before decoding."""
    files.check_upload_size(data, filename)
    if not data:
        raise ProjectorFileError(f"{filename} is empty; the sprite should be one image holding every thumbnail.")
    try:
        image = Image.open(io.BytesIO(data), formats=("PNG", "JPEG"))
    except UnidentifiedImageError:
        raise ProjectorFileError(
            f"{filename} is not a PNG or JPEG image; the sprite should be one image holding every thumbnail."
        ) from None
    except Image.DecompressionBombError:
        raise ProjectorFileError(
            f"{filename} declares far too many pixels; sprites up to "
            f"{files.MAX_SPRITE_PIXELS / 1e6:.0f} million pixels are accepted."
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise ProjectorFileError(f"{filename} is damaged and cannot be read as an image; export it again.") from None
    if image.width * image.height > files.MAX_SPRITE_PIXELS:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels; sprites up to "
            f"{files.MAX_SPRITE_PIXELS / 1e6:.0f} million pixels (8192×8192) are accepted, "
            "so use fewer or smaller thumbnails."
        )
    decoded = image.width * image.height * len(image.getbands())
    if decoded > files.MAX_SPRITE_DECODED:
        raise ProjectorFileError(
            f"{filename} is {image.width}×{image.height} pixels in {image.mode}, {decoded / 2**20:,.0f} MB "
            f"once decoded; this server decodes sprites up to {files.MAX_SPRITE_DECODED // 2**20} MB "
            "(4,096×4,096 with transparency, 8,192×8,192 in grey), so use fewer or smaller thumbnails."
        )
    return image


def _decode_pixels(image: Image.Image, filename: str) -> np.ndarray:
    """(H, W, C) uint8 with C = 1 for greyscale, 3 otherwise; transparency is placed on white."""
    try:
        image.load()
    except (OSError, ValueError, SyntaxError):
        raise ProjectorFileError(
            f"{filename} is truncated or damaged and cannot be decoded; export it again."
        ) from None
    pixels = np.asarray(to_8bit(image, notes=[]), dtype=np.uint8)  # the app's one place for odd image modes
    return pixels[..., None] if pixels.ndim == 2 else pixels


def write_sprite(thumbnails: np.ndarray) -> tuple[bytes, tuple[int, int]]:
    """A sprite PNG of (N, h, w, C) uint8 thumbnails in the Projector's square grid, and its [w, h]."""
    thumbnails = np.asarray(thumbnails)
    if thumbnails.ndim != 4 or thumbnails.dtype != np.uint8 or len(thumbnails) == 0:
        raise ValueError(
            f"Thumbnails must be a non-empty (N, h, w, C) uint8 array, not {thumbnails.dtype} "
            f"of shape {thumbnails.shape}."
        )
    count, height, width, channels = thumbnails.shape
    side = files.grid_side(count)
    if side * width * side * height > files.MAX_SPRITE_PIXELS:
        raise ProjectorFileError(
            f"{count:,} thumbnails of {width}×{height} make a sprite of {side * width}×"
            f"{side * height} pixels, more than the Projector can load; export fewer points."
        )
    cells = np.zeros((side * side, height, width, channels), dtype=np.uint8)  # the last row is padded with black
    cells[:count] = thumbnails
    sheet = cells.reshape(side, side, height, width, channels).transpose(0, 2, 1, 3, 4)
    return png_bytes(sheet.reshape(side * height, side * width, channels)), (width, height)
