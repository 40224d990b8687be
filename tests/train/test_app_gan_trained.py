"""AppTest for the GAN page: sliders drive the image, every section draws, bad input gets a sentence."""

import json
import shutil

import numpy as np
import pytest

from tests.support.apptest import image_urls, live_data, open_page


def image_captions(at) -> list[str]:
    """Captions of every picture on the page, including each of a list of images."""
    return [img.caption for image in at.get("image") for img in image.proto.imgs]


@pytest.fixture()
def gan_root(tiny_gan, tmp_path, monkeypatch):
    """The tiny trained GAN as the only checkpoint the app sees."""
    shutil.copytree(tiny_gan, tmp_path / "tiny-gan")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    return tmp_path


def test_direction_slider_and_truncation_change_the_image(gan_root):
    at = open_page("app_pages/gan.py", runtime="server", seed="5")
    first = image_urls(at)[0]
    at.slider(key="d1").set_value(3.0).run()
    moved = image_urls(at)[0]
    assert moved != first
    at.slider(key="psi").set_value(0.0)
    at.slider(key="d1").set_value(0.0).run()
    at_zero = image_urls(at)[0]
    at.text_input(key="seed").set_value("77").run()
    assert image_urls(at)[0] == at_zero, "at ψ = 0 every seed gives the mean image"


def test_a_seed_that_is_not_a_number_gets_a_sentence(gan_root):
    at = open_page("app_pages/gan.py", runtime="server", seed="twelve")
    assert not at.exception
    assert "A seed is a whole number" in at.error[0].value and "“twelve” is not" in at.error[0].value
    assert image_captions(at)[0].startswith("seed 0, ψ = 1.00"), "the page still shows seed 0"
    at.button(key="new_seed").click().run()
    assert at.text_input(key="seed").value.isdigit() and not at.error


def test_hostile_url_values_fall_back_to_defaults(gan_root):
    at = open_page("app_pages/gan.py", runtime="server", psi="9", d1="abc", directions_shown="-4", section="<script>")
    assert not at.exception
    assert at.slider(key="psi").value == 1.0 and at.slider(key="d1").value == 0.0


SECTION_MARKERS = {
    "Directions": "download_directions",
    "Interpolate": "download_png",
    "Training timeline": "epoch",
    "Nearest training images": None,
}


@pytest.mark.parametrize("section", SECTION_MARKERS)
def test_every_section_draws(gan_root, section):
    at = open_page("app_pages/gan.py", runtime="server", section=section)
    assert not at.exception and not at.error
    widgets = {w.key for kind in ("download_button", "select_slider", "text_input") for w in at.get(kind)}
    marker = SECTION_MARKERS[section]
    if marker:
        assert marker in widgets
    if section == "Nearest training images":
        assert len(image_captions(at)) == 3 + 8  # sample, grid, the sample again, 8 neighbours
        assert any("classifier reads this as" in c.value for c in at.caption)
    if section == "Training timeline":
        at.select_slider(key="epoch").set_value(1).run()
        assert not at.exception and "16 fixed latent vectors after epoch 1" in image_captions(at)
        verdicts = np.load(gan_root / "tiny-gan" / "timeline.npz")["verdicts"][0]  # epoch 1's D
        samples, real, noise = (f"{row.mean():.0%}" for row in verdicts)
        line = f"Epoch 1's discriminator: these samples {samples} real · training images {real} · noise {noise}"
        assert line in [c.value for c in at.caption]
        traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
        assert "D(noise)" in [trace.get("name") for trace in traces]


def test_a_timeline_without_verdicts_still_draws(gan_root):
    """Checkpoints trained before each epoch's verdicts were kept show the pictures and curves alone."""
    path = gan_root / "tiny-gan" / "timeline.npz"
    arrays = dict(np.load(path))
    np.savez(path, **{k: v for k, v in arrays.items() if k not in ("verdicts", "real", "noise")})
    at = open_page("app_pages/gan.py", runtime="server", section="Training timeline")
    assert not at.exception and not at.error
    assert not [c for c in at.caption if "discriminator:" in c.value]


def test_a_named_direction_labels_its_slider_and_the_download(gan_root):
    at = open_page("app_pages/gan.py", runtime="server", section="Directions")
    at.text_input(key="name1").input("stroke width").run()
    assert at.slider(key="d1").label.startswith("stroke width")
    at.tabs[0]  # the page keeps its tabs
    at.query_params["section"] = "Interpolate"
    at.run()
    assert at.slider(key="d1").label.startswith("stroke width"), "names outlive their tab"


def test_directions_json_holds_names_and_unit_vectors(gan_root):
    from explorer.serving.models import ImageGenerator
    from explorer.ui.gan_tabs import directions_json

    model = ImageGenerator.from_folder(gan_root / "tiny-gan")
    document = json.loads(directions_json(model))
    assert document["model"] == "tiny-gan" and len(document["directions"]) == len(model.directions.vectors)
    for entry in document["directions"]:
        assert sum(v * v for v in entry["vector"]) == pytest.approx(1.0, abs=1e-4)


def test_with_the_nearest_images_open_a_slider_move_updates_them(gan_root):
    at = open_page("app_pages/gan.py", runtime="server", section="Nearest training images")
    before = image_urls(at)[2]  # the sample again, beside its neighbours
    at.slider(key="d1").set_value(3.0).run()
    assert image_urls(at)[2] != before and image_urls(at)[0] == image_urls(at)[2]
    assert "section" in at.session_state and at.session_state["section"] == "Nearest training images"


def test_hostile_url_values_get_a_sentence_on_the_live_page(gan_root):
    at = open_page("app_pages/gan.py", psi="9", d1="abc", directions_shown="-4", section="<script>")
    assert not at.exception
    assert live_data(at)["values"]["psi"] == 1.0 and live_data(at)["values"]["d1"] == 0.0
    assert "psi=9" in at.warning[0].value and "d1=abc" in at.warning[0].value


def test_on_the_server_path_a_direction_name_from_a_link_stays_text(gan_root):
    """Streamlit renders a slider's label as Markdown: the server path escapes the linked name."""
    at = open_page("app_pages/gan.py", runtime="server", names="1:[Sign in](https://evil.example)")
    assert at.slider(key="d1").label.startswith("\\[Sign in\\]")
    assert live_data(open_page("app_pages/gan.py", names="1:[Sign in](x)"))["sliders"][1]["label"].startswith(
        "[Sign in](x)"
    ), "the page sets the live label as text, unescaped"
