import io
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw

from explorer import images
from explorer.images import ImageInputError, fit_to_model, read_upload


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def drawn_digit(size=(300, 400), mode="RGB", ink=(0, 0, 0), paper=(255, 255, 255)) -> Image.Image:
    """A thick dark '7' on light paper, off-centre, as a phone photo of a digit might be."""
    image = Image.new(mode, size, paper)
    draw = ImageDraw.Draw(image)
    draw.line([(40, 60), (200, 60), (110, 300)], fill=ink, width=24)
    return image


def test_dark_digit_on_paper_becomes_a_centred_mnist_digit():
    image, notes = read_upload(encoded(drawn_digit()))
    seen, fit_notes = fit_to_model(image, (28, 28, 1), "mnist")
    assert seen.shape == (28, 28, 1) and seen.dtype == np.uint8
    assert any("inverted" in note for note in fit_notes)
    assert seen[0].max() == 0 and seen[:, 0].max() == 0, "background must be black"
    rows, cols = np.nonzero(seen[..., 0] > 40)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) <= 20
    ys, xs = np.indices(seen.shape[:2])
    mass = seen[..., 0].astype(float)
    assert abs((ys * mass).sum() / mass.sum() - 14) < 1.5
    assert abs((xs * mass).sum() / mass.sum() - 14) < 1.5


def test_light_on_dark_is_not_inverted():
    image, _ = read_upload(encoded(drawn_digit(mode="L", ink=255, paper=0)))
    seen, notes = fit_to_model(image, (28, 28, 1), "mnist")
    assert not notes and seen.max() == 255


@pytest.mark.parametrize(
    "make, note",
    [
        (lambda: drawn_digit(mode="RGBA", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0)), "Transparent"),
        (lambda: drawn_digit(mode="CMYK", ink=(0, 0, 0, 255), paper=(0, 0, 0, 0)), "CMYK"),
    ],
)
def test_alpha_and_cmyk_uploads_are_flattened(make, note):
    fmt = "JPEG" if make().mode == "CMYK" else "PNG"
    image, notes = read_upload(encoded(make(), fmt))
    assert image.mode in ("L", "RGB")
    assert any(note in n for n in notes)
    seen, _ = fit_to_model(image, (28, 28, 1), "mnist")
    assert seen.max() > 200


def test_sixteen_bit_upload_is_scaled_to_eight_bits():
    array = np.zeros((64, 64), dtype=np.uint16)
    array[10:50, 28:36] = 60000
    image, notes = read_upload(encoded(Image.fromarray(array)))
    assert image.mode == "L" and np.asarray(image).max() == 255
    assert any("8 bits" in note for note in notes)


def test_animated_gif_uses_its_first_frame():
    frames = [drawn_digit(size=(60, 80)).convert("P"), Image.new("P", (60, 80), 0)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    image, notes = read_upload(data)
    assert any("first frame" in note for note in notes)
    assert np.asarray(image.convert("L")).min() < 50


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"this is a text file, not a picture", "not an image"),
        (encoded(drawn_digit())[:400], "truncated or damaged"),
    ],
)
def test_unusable_uploads_get_a_sentence(data, message):
    with pytest.raises(ImageInputError, match=message):
        read_upload(data)


def test_enormous_uploads_are_refused_before_decoding(monkeypatch):
    big = encoded(Image.new("L", (5000, 5000), 0))  # compresses to a few KB, decodes to 25 MP
    with pytest.raises(ImageInputError, match="million pixels"):
        read_upload(big)
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ImageInputError, match="MB"):
        read_upload(encoded(drawn_digit()))


def test_blank_image_is_reported():
    image, _ = read_upload(encoded(Image.new("RGB", (50, 50), (250, 250, 250))))
    with pytest.raises(ImageInputError, match="blank"):
        fit_to_model(image, (28, 28, 1), "mnist")


def test_colour_models_get_a_padded_square():
    image = Image.new("RGB", (100, 50), (255, 0, 0))
    seen, _ = fit_to_model(image, (32, 32, 3), "rgb")
    assert seen.shape == (32, 32, 3)
    assert tuple(seen[0, 16]) == (255, 255, 255) and tuple(seen[16, 16]) == (255, 0, 0)


def test_tile_upscale_and_animation_bytes():
    frames = np.stack([np.full((4, 5, 1), v, np.uint8) for v in (0, 100, 200)])
    strip = images.tile(frames, columns=3, gap=1)
    assert strip.shape == (4, 17, 1) and strip[0, 6, 0] == 100
    assert images.upscale(strip, 3).shape == (12, 51, 1)
    assert Image.open(io.BytesIO(images.png_bytes(strip))).size == (17, 4)
    gif = Image.open(io.BytesIO(images.gif_bytes(frames)))
    assert gif.n_frames == 4  # forward, then back without repeating the ends


def test_a_photo_on_a_digit_model_is_told_the_model_knows_only_digits():
    rng = np.random.default_rng(0)
    photo = Image.fromarray((rng.random((60, 90, 3)) * 255).astype(np.uint8))  # colourful, busy, landscape
    _, notes = fit_to_model(photo, (28, 28, 1), "mnist")
    assert any("knows only handwritten digits" in note for note in notes)
    digit = np.zeros((40, 40), np.uint8)
    digit[8:32, 18:22] = 255
    _, notes = fit_to_model(Image.fromarray(digit), (28, 28, 1), "mnist")
    assert not any("knows only" in note for note in notes), "a digit gets no such note"


def _svg_numbers(svg: str, element: str, attribute: str) -> list[float]:
    return [float(v) for v in re.findall(rf'<{element}[^>]*\s{attribute}="([-0-9.]+)"', svg)]


@pytest.mark.parametrize(
    "mu, sigma",
    [([1.6, 1.4], [0.05, 0.08]), ([0.2, -0.1], [1.0, 0.9]), ([-7.5, 3.0, 0.0], [0.2, 0.2, 1.0])],
)
def test_the_posterior_chart_has_a_labelled_line_beyond_every_dot(mu, sigma):
    """The chart of μ ± σ spans its data with a scale: every dot and whisker end lies between the
    outermost labelled lines (example #5 of mnist-vae-2d, μ = (1.6, 1.4), drew its dots above
    the last line, labelled 1)."""
    from explorer.ui.plots import posterior_svg

    svg = posterior_svg(np.array(mu), np.array(sigma))
    lines = [float(y) for y in re.findall(r'<line x1="46"[^>]*y1="([-0-9.]+)"', svg)]
    labels = [float(t) for t in re.findall(r'text-anchor="end">(-?[0-9]+)</text>', svg)]
    dots = _svg_numbers(svg, "circle", "cy")
    whiskers = _svg_numbers(svg, "line", "y1") + _svg_numbers(svg, "line", "y2")
    assert len(dots) == len(mu)
    assert 0 in labels and max(labels) >= max(np.abs(mu) + sigma) and len(labels) <= 9
    top, bottom = min(lines), max(lines)
    assert all(top <= y <= bottom for y in dots + whiskers), (top, bottom, dots)


def test_labels_on_the_plane_differ_in_colour_or_shape_and_never_wear_the_sliders_colour():
    """On the 2-d plane 8 and 9 (wine and brown) and 1 and 5 (rose and purple) were hard to tell apart,
    and 1 wore the rose of the sliders' ×."""
    from explorer.palette import EMPHASIS
    from explorer.ui.plots import label_style

    def rgb(colour):
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])

    styles = [label_style(index) for index in range(10)]
    assert EMPHASIS not in [colour for colour, _ in styles]
    for a in range(10):
        for b in range(a + 1, 10):
            close = np.linalg.norm(rgb(styles[a][0]) - rgb(styles[b][0])) < 100
            assert not close or styles[a][1] != styles[b][1], (a, b, styles[a], styles[b])


def test_a_photo_stored_sideways_is_turned_upright_as_its_exif_says():
    """Phones store a portrait photo sideways with an EXIF orientation tag; it was ignored."""
    upright = np.zeros((40, 20), np.uint8)
    upright[:10] = 255  # white at the top
    stored = Image.fromarray(np.rot90(upright, k=1))  # what the camera wrote: turned a quarter left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif, quality=95)
    image, notes = read_upload(buffer.getvalue())
    pixels = np.asarray(image.convert("L"))
    assert pixels.shape == (40, 20) and pixels[:10].mean() > 200 and pixels[-10:].mean() < 50
    assert any("EXIF orientation" in note for note in notes)
