"""AppTest for the GAN page: sliders drive the image, every section draws, bad input gets a sentence."""

import json
import shutil

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from tests.support.apptest import image_urls, live_data, open_page


def image_captions(at) -> list[str]:
    """Captions of every picture on the page, including each of a list of images."""
    return [img.caption for image in at.get("image") for img in image.proto.imgs]


GAN_NAMES = sorted(c.name for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0])


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
