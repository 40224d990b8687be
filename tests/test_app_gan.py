"""AppTest for the GAN page: sliders drive the image, every section draws, bad input gets a sentence."""

import json
import shutil

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints

from .conftest import image_urls, live_data, open_page


def image_captions(at) -> list[str]:
    """Captions of every picture on the page, including each of a list of images."""
    return [img.caption for image in at.get("image") for img in image.proto.imgs]


GAN_NAMES = sorted(c.name for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0])


@pytest.fixture()
def gan_root(tiny_gan, tmp_path, monkeypatch):
    """The tiny trained GAN as the only checkpoint the app sees."""
    shutil.copytree(tiny_gan, tmp_path / "tiny-gan")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    return tmp_path


def test_shipped_gans_cover_digits_and_colour():
    channels = {c.config.image_shape[-1] for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0]}
    assert channels == {1, 3}


@pytest.mark.parametrize("name", GAN_NAMES)
def test_gan_page_runs_for_every_shipped_gan(name):
    at = open_page("app_pages/gan.py", runtime="server", model=name)
    assert not at.exception and not at.error
    assert {s.key for s in at.slider if s.key.startswith("d")} == {f"d{i}" for i in range(1, 7)}  # six by default
    # The sample, the grid of other seeds, and the open Directions tab's sweep row for each slider.
    assert len(image_urls(at)) == 2 + 6
    before = image_urls(at)[0]
    at.slider(key="d1").set_value(2.0).run()
    assert image_urls(at)[0] != before


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


def conditional_gans() -> list[str]:
    from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints

    return sorted(c.name for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0] if c.config.classes)


@pytest.mark.parametrize("name", conditional_gans())
def test_conditional_gan_page_makes_the_picked_class_in_the_seeds_style(name):
    from explorer.checkpoint import read_checkpoint
    from explorer.serving.models import ImageGenerator

    classes = read_checkpoint(SHIPPED_CHECKPOINTS / name).config.class_names
    first = open_page("app_pages/gan.py", runtime="server", model=name, seed="5")
    assert not first.exception and not first.error
    pickers = [w for w in [*first.get("button_group"), *first.selectbox] if w.proto.label == "Class"]
    assert len(pickers) == 1
    picker = pickers[0]
    model = ImageGenerator.from_folder(SHIPPED_CHECKPOINTS / name)
    assert picker.value == model.default_class  # without a class in the link: the one trained on most
    last = open_page("app_pages/gan.py", runtime="server", model=name, seed="5", **{"class": classes[-1]})
    assert not last.exception and image_urls(last)[0] != image_urls(first)[0], "another class, another picture"


@pytest.mark.parametrize("name", conditional_gans())
def test_a_link_naming_a_class_the_model_lacks_gets_a_short_sentence(name):
    at = open_page("app_pages/gan.py", runtime="server", model=name, **{"class": "unicorn"})
    assert not at.exception
    assert "makes no class “unicorn”" in at.warning[0].value
    assert len(at.warning[0].value) < 200, "a few classes named, not a page of them"


def test_a_model_of_many_classes_names_a_few_and_counts_them():
    from types import SimpleNamespace

    from explorer.ui.gan import classes_named

    assert classes_named(SimpleNamespace(class_names=[str(d) for d in range(10)])) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9"
    many = SimpleNamespace(class_names=[f"emoji {i}" for i in range(1743)])
    assert classes_named(many) == "1,743 classes (pick one from the Class list), such as emoji 0, emoji 1 and emoji 2"


@pytest.mark.parametrize("name", GAN_NAMES)
def test_the_live_sample_is_the_seeds_z_scaled_by_psi_and_moved_by_the_sliders(name):
    """In the browser the sample is ψ·z(seed) + Σ offset·direction (+ the class): what latent_for gives."""
    import numpy as np

    from explorer.serving.models import ImageGenerator

    at = open_page("app_pages/gan.py", model=name, seed="5", psi="0.7", d2="1.5")
    assert not at.exception and not at.error
    live = live_data(at)
    assert [s["id"] for s in live["sliders"]] == ["psi", *(f"d{i}" for i in range(1, 7))]
    assert live["values"]["psi"] == 0.7 and live["values"]["d2"] == 1.5 and live["scale"] == "psi"
    assert live["model"]["url"].startswith(f"/models/{name}/generator.tflite?v=")
    model = ImageGenerator.from_folder(SHIPPED_CHECKPOINTS / name)
    z = 0.7 * np.array(live["base"]) + sum(
        live["values"][s["id"]] * np.array(s["vector"]) for s in live["sliders"] if s["vector"]
    )
    offsets = [live["values"].get(f"d{i + 1}", 0.0) for i in range(len(model.directions.vectors))]
    assert z == pytest.approx(model.latent_for(5, 0.7, offsets), abs=1e-5)
    # A conditional GAN's one-hot class, sent as its size and where it is 1; else nothing.
    asked = [model.class_names.index(model.default_class)] if model.conditional else []
    assert live["suffix"] == {"size": len(model.class_names), "at": asked, "values": [1.0] * len(asked)}
    assert len(image_urls(at)) == 1 + 6, "the other seeds and the Directions tab; the sample is the component's"
    raw = open_page("app_pages/gan.py", model=name, show_raw="true", dz3="2")
    sliders = live_data(raw)["sliders"]
    assert len(sliders) == 1 + 6 + model.latent_dim and live_data(raw)["values"]["dz3"] == 2.0


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


def test_the_discriminator_tab_scores_the_sample_real_images_and_noise():
    at = open_page("app_pages/gan.py", model="mnist-cgan", section="Discriminator", **{"class": "7"})
    assert not at.exception
    assert live_data(at)["judge"]["column"] == 7, "the page scores the picture as “a real 7?”"
    averages = [c.value for c in at.caption if "D says" in c.value]
    assert averages[0].startswith("Training images: D says") and averages[1].startswith("Noise: D says")
    share = [int(text.split("D says ")[1].split("%")[0]) for text in averages]
    assert share[0] > share[1], "real digits look more real to D than noise does"
    server = open_page("app_pages/gan.py", model="mnist-cgan", runtime="server")
    assert "discriminator: " in server.get("image")[0].proto.imgs[0].caption
    plain = open_page("app_pages/gan.py", model="mnist-gan", section="Discriminator")  # unconditional: one column
    assert live_data(plain)["judge"]["column"] == 0 and not plain.exception
    plain.query_params["section"] = "Directions"
    plain.session_state["section"] = "Directions"
    plain.run()
    assert live_data(plain)["judge"] is None, "with another tab open the page does not download the discriminator"


def test_a_gan_trained_before_discriminators_were_kept_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "old-gan"
    shutil.copytree(SHIPPED_CHECKPOINTS / "mnist-gan", folder, ignore=shutil.ignore_patterns("*.h5", "discriminator*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["files"]["discriminator"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    kept_none = open_page("app_pages/gan.py", model="old-gan", section="Discriminator")
    assert not kept_none.exception
    assert "was not kept" in kept_none.info[0].value and live_data(kept_none)["judge"] is None


def test_an_epoch_before_verdicts_were_recorded_says_so():
    from explorer.ui.gan_tabs import epoch_verdict_line

    assert "was not recorded" in epoch_verdict_line(np.full((3, 16), np.nan), 3)
    scores = np.array([[0.2] * 16, [0.6] * 16, [0.01] * 16])
    assert epoch_verdict_line(scores, 9).endswith("these samples 20% real · training images 60% · noise 1%")


@pytest.mark.parametrize("name", GAN_NAMES)
def test_the_nearest_images_tab_answers_whether_the_sample_is_a_copy(name):
    """In emoji-classifier features all eight neighbours of a face sat at 0.001–0.002, a police officer
    among them, under "distances near 0 would mean the GAN copies": now pixels, read against how far a
    training image lies from its nearest other one."""
    at = open_page("app_pages/gan.py", runtime="server", model=name, section="Nearest training images")
    assert not at.exception
    distances = [float(c.split()[-1]) for c in image_captions(at) if c.startswith("distance ")]
    assert len(distances) == 8 and distances == sorted(distances)
    verdict = " ".join(m.value for m in at.markdown)
    scale = float(
        verdict.split("typically at ")[1].split(".")[0] + "." + verdict.split("typically at ")[1].split(".")[1]
    )
    assert f"**{distances[0]:.2f}**" in verdict and scale > 0.05
    assert any(words in verdict for words in ("a new image, not a copy", "may copy it", "as close as a copy"))


def test_a_class_of_one_image_is_said_to_be_drawn_close_to_it_by_design():
    from explorer.serving.models import ImageGenerator

    model = ImageGenerator.from_folder(SHIPPED_CHECKPOINTS / "emoji-gan")
    counts = np.bincount(model.training_images.labels, minlength=len(model.class_names))
    single = model.class_names[int(np.flatnonzero(counts == 1)[0])]
    at = open_page(
        "app_pages/gan.py", runtime="server", model="emoji-gan", section="Nearest training images", **{"class": single}
    )
    assert "has a single training image" in " ".join(m.value for m in at.markdown)
    at = open_page("app_pages/gan.py", runtime="server", model="emoji-gan", section="Nearest training images")
    assert "has a single training image" not in " ".join(m.value for m in at.markdown)
