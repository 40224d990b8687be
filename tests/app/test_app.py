"""AppTest: every page runs, sliders drive the image, broken checkpoints get a sentence."""

import json
import shutil

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints, read_checkpoint
from tests.support.apptest import image_urls, live_data, one_digit_png, open_page, trace_points, traces

# In the order of the page's model picker: smallest latent first (the default).
VAE_NAMES = [
    c.name
    for c in sorted(
        list_checkpoints(("vae",), root=SHIPPED_CHECKPOINTS)[0], key=lambda c: (c.config.latent_dim, c.name)
    )
]


def test_home_page_shows_a_picture_and_links_the_vae_page():
    at = open_page("app.py")
    assert not at.exception
    assert len(image_urls(at)) == 1
    assert "Latent Explorer" in at.title[0].value


def test_shipped_checkpoints_include_the_three_models():
    autoencoders = [c.config.latent_dim for c in list_checkpoints(("ae",), root=SHIPPED_CHECKPOINTS)[0]]
    vae_dims = sorted(c.config.latent_dim for c in list_checkpoints(("vae",), root=SHIPPED_CHECKPOINTS)[0])
    assert vae_dims[0] == 2 and vae_dims[-1] >= 16 and autoencoders


@pytest.mark.parametrize("name", VAE_NAMES)
def test_vae_page_runs_for_every_shipped_vae(name):
    at = open_page("app_pages/vae.py", model=name)
    assert not at.exception and not at.error
    latent_dim = json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text())["config"]["latent_dim"]
    live = live_data(at)  # the sliders are drawn in the browser, with the model's own file
    assert [s["id"] for s in live["sliders"]] == [f"z{d + 1}" for d in range(latent_dim)]
    assert live["model"]["url"].startswith(f"/models/{name}/decoder.tflite?v=")
    server = open_page("app_pages/vae.py", model=name, runtime="server")  # and on the server, as before
    assert {s.key for s in server.slider if s.key.startswith("z")} == {f"z{d + 1}" for d in range(latent_dim)}
    heldout = read_checkpoint(SHIPPED_CHECKPOINTS / name).metrics["heldout"]
    figure = "dB PSNR" if heldout.get("likelihood") == "gaussian" else "−ELBO"  # a readable number for each
    assert any(figure in c.value and f"{latent_dim}-d latent" in c.value for c in at.sidebar.caption)


def test_the_held_out_line_reads_as_the_likelihood_allows():
    from explorer.ui.vae import heldout_line

    gaussian = {"likelihood": "gaussian", "psnr_db": 18.68, "kl": 71.97, "neg_elbo": -2172.5}
    assert heldout_line(gaussian, 16) == "16-d latent · held-out decodes 18.7 dB PSNR · KL 72 nats"
    assert heldout_line({"neg_elbo": 101.23}, 2) == "2-d latent · held-out −ELBO 101.2 nats per image"
    assert heldout_line({}, 8) == "8-d latent"


SECTION_MARKERS = {"Start from an example": "example", "Interpolate": "frames", "Autoencoder vs VAE": "compare_seed"}


@pytest.mark.parametrize("name", VAE_NAMES)
@pytest.mark.parametrize("section", ["The latent plane", *SECTION_MARKERS])
def test_only_the_open_section_is_drawn(name, section):
    at = open_page("app_pages/vae.py", model=name, section=section)
    assert not at.exception and not at.error
    keys = {w.key for kind in ("number_input", "slider") for w in at.get(kind)}
    two_d = json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text())["config"]["latent_dim"] == 2
    # A 2-d model's latent plane is beside its sliders, always; an old link naming it as a section
    # (an unknown one now) opens the first tab.
    expected = "Start from an example" if section == "The latent plane" else section
    assert ("latent_map" in at.session_state) == two_d
    if expected == "Autoencoder vs VAE" and not has_matching_autoencoder(name):
        # Nothing to compare with: no such tab (it had told attendees to train one with a path they lack),
        # and the link opens the first.
        assert "Autoencoder vs VAE" not in [tab.label for tab in at.tabs]
        expected = "Start from an example"
    assert {marker for marker in SECTION_MARKERS.values() if marker in keys} == (
        {SECTION_MARKERS[expected]} if expected in SECTION_MARKERS else set()
    )


def has_matching_autoencoder(name: str) -> bool:
    manifest = json.loads((SHIPPED_CHECKPOINTS / name / "manifest.json").read_text())
    return any(
        c.config.latent_dim == manifest["config"]["latent_dim"]
        and c.manifest["data"]["file"] == manifest["data"]["file"]
        for c in list_checkpoints(("ae",), root=SHIPPED_CHECKPOINTS)[0]
    )


def test_moving_a_slider_changes_the_image_and_reset_restores_it():
    at = open_page("app_pages/vae.py", runtime="server", model=VAE_NAMES[-1])
    before = image_urls(at)[0]
    at.slider(key="z1").set_value(2.5).run()
    assert not at.exception
    moved = image_urls(at)[0]
    assert moved != before
    at.button(key="reset").click().run()
    assert at.slider(key="z1").value == 0.0
    assert image_urls(at)[0] != moved


def test_random_sample_and_example_pick_move_the_sliders():
    import numpy as np

    at = open_page("app_pages/vae.py", runtime="server", model=VAE_NAMES[0], section="Start from an example")
    draws = []
    for _ in range(3):  # a draw rounds to 0.0 in both of z1, z2 about once in 600: the suite hit it once
        at.button(key="random").click().run()
        draws.append([at.slider(key=f"z{d}").value for d in (1, 2)])
    assert any(value != 0.0 for draw in draws for value in draw)
    at.number_input(key="example").set_value(3).run()
    assert not at.exception
    with np.load(SHIPPED_CHECKPOINTS / VAE_NAMES[0] / "examples.npz") as examples:
        expected = np.round(np.clip(examples["mu"][3], -3, 3), 1)
    assert [at.slider(key=f"z{d + 1}").value for d in range(len(expected))] == pytest.approx(expected)


def test_another_model_picked_on_the_page_opens_with_its_own_traversal_default():
    at = open_page("app_pages/vae.py", runtime="server", model=VAE_NAMES[0])
    assert at.toggle(key="show_traversal").value is True, "on by default for a 2-d latent"
    at.selectbox(key="model").set_value(VAE_NAMES[-1]).run()
    assert at.toggle(key="show_traversal").value is False, "16 rows of 9 decodes: off, as its own link opens"
    at.toggle(key="show_traversal").set_value(True).run()
    at.slider(key="z1").set_value(1.0).run()
    assert at.toggle(key="show_traversal").value is True, "what the user turned on stays on for that model"
    linked = open_page("app_pages/vae.py", runtime="server", model=VAE_NAMES[-1], show_traversal="true")
    plain = open_page("app_pages/vae.py", runtime="server", model=VAE_NAMES[-1])
    assert linked.toggle(key="show_traversal").value is True
    assert len(linked.get("image")) == len(plain.get("image")) + 1, "the link's traversal is drawn"


def test_latent_vector_comes_from_the_url():
    at = open_page("app_pages/vae.py", model=VAE_NAMES[0], z1="1.5", z2="-2")
    assert live_data(at)["values"] == {"z1": 1.5, "z2": -2.0}
    at = open_page("app_pages/vae.py", model=VAE_NAMES[0], z1="1.5", z2="-2", runtime="server")
    assert at.slider(key="z1").value == 1.5 and at.slider(key="z2").value == -2.0


def test_interpolation_offers_png_and_gif_downloads():
    at = open_page("app_pages/vae.py", model=VAE_NAMES[0], section="Interpolate")
    at.radio(key="path").set_value("spherical").run()
    at.slider(key="frames").set_value(5).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download PNG strip", "Download animated GIF"]


def test_broken_checkpoints_are_named_and_the_page_keeps_working(tmp_path, monkeypatch):
    good = VAE_NAMES[0]
    shutil.copytree(SHIPPED_CHECKPOINTS / good, tmp_path / good)
    (tmp_path / "zz-corrupt").mkdir()
    (tmp_path / "zz-corrupt" / "manifest.json").write_text("{oops")
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    at = open_page("app_pages/vae.py", model=good)
    assert not at.exception
    warnings = " ".join(w.value for w in at.sidebar.expander[0].warning)
    assert "zz-corrupt/manifest.json is not valid JSON" in warnings


def test_unknown_model_or_latent_in_the_url_falls_back_to_defaults():
    at = open_page("app_pages/vae.py", model="../../etc/passwd", z1="lots", z2="99", z3="nan")
    assert not at.exception
    assert at.selectbox(key="model").value == VAE_NAMES[0]
    assert live_data(at)["values"] == {"z1": 0.0, "z2": 0.0}
    model_warning, values_warning = (w.value for w in at.warning)  # each named, and said to be ignored
    assert (
        "VAE model called “\\.\\./\\.\\./etc/passwd”" in model_warning
        and VAE_NAMES[0].replace("-", "\\-") in model_warning
    )
    assert "z1=lots" in values_warning and "z2=99" in values_warning and "from -3 to 3" in values_warning
    assert "z1" not in at.query_params and "z2" not in at.query_params
    at = open_page("app_pages/vae.py", runtime="server", model="../../etc/passwd", z1="lots", z2="99")
    assert at.slider(key="z1").value == 0.0 and at.slider(key="z2").value == 0.0


def test_missing_model_file_is_reported_on_the_page(tmp_path, monkeypatch):
    good = VAE_NAMES[0]
    shutil.copytree(SHIPPED_CHECKPOINTS / good, tmp_path / "copy")
    (tmp_path / "copy" / "decoder.tflite").unlink()
    monkeypatch.setenv("LATENT_EXPLORER_CHECKPOINTS", str(tmp_path))
    at = open_page("app_pages/vae.py", model="copy")
    assert not at.exception
    assert "decoder.tflite is missing" in at.error[0].value
    assert "python -m explorer train" in at.error[0].value


@pytest.mark.parametrize("name", VAE_NAMES)
def test_move_the_sliders_to_mu_moves_them(name):
    """The button ran set_latent after the sliders existed: StreamlitWidgetAlreadyInstantiatedError."""
    at = open_page("app_pages/vae.py", runtime="server", model=name, section="Start from an example")
    at.button(key="reset").click().run()
    assert all(s.value == 0.0 for s in at.slider if s.key.startswith("z"))
    at.button(key="use_example").click().run()
    assert not at.exception
    from explorer.serving.models import ImageAutoencoder

    mu = ImageAutoencoder.from_folder(SHIPPED_CHECKPOINTS / name).examples["mu"][0]  # the default example
    sliders = {s.key: s.value for s in at.slider if s.key.startswith("z")}
    assert [sliders[f"z{d + 1}"] for d in range(len(mu))] == pytest.approx(np.clip(mu, -3, 3), abs=0.051)


def test_a_dimension_the_model_does_not_use_is_marked_on_its_slider():
    """mnist-vae-16d's z1 has σ ≈ 1 for every digit: the first slider a person tries did nothing, unsaid."""
    from explorer.maths import latent
    from explorer.serving.models import ImageAutoencoder

    name = VAE_NAMES[-1]
    examples = ImageAutoencoder.from_folder(SHIPPED_CHECKPOINTS / name).examples
    kl = latent.kl_per_dimension(examples["mu"], examples["sigma"])
    at = open_page("app_pages/vae.py", runtime="server", model=name)
    labels = {s.key: s.label for s in at.slider if s.key.startswith("z")}
    for dim, value in enumerate(kl):
        assert ("barely used" in labels[f"z{dim + 1}"]) == (value < 0.05 * kl.max()), (dim, value)
    assert any("barely used" in label for label in labels.values()) == (kl.min() < 0.05 * kl.max())
    assert all("KL" in (s.help or "") for s in at.slider if s.key.startswith("z"))
    live = live_data(open_page("app_pages/vae.py", model=name))["sliders"]  # the live sliders say the same
    assert [(s["label"], s["help"]) for s in live] == [(labels[s["id"]], s["help"]) for s in live]
    assert all("KL" in s["help"] for s in live)


def test_the_live_sliders_message_is_never_the_same_twice():
    """Over 10 KB, Streamlit sends a repeated message by reference; the browser had once let it go
    ("Cached ForwardMsg MISS" in the crawl: the same μ after uploading one digit in two formats)."""
    at = open_page("app_pages/vae.py", model=VAE_NAMES[-1])
    first = at.get("bidi_component")[0].proto.json
    at.run()  # nothing changed
    again = at.get("bidi_component")[0].proto.json
    assert len(first) > 1000 and first != again
    assert {k: v for k, v in json.loads(first).items() if k != "mount"} == {
        k: v for k, v in json.loads(again).items() if k != "mount"
    }


def test_between_distributions_shows_the_means_and_seeded_samples_under_each_frame():
    at = open_page("app_pages/vae.py", model="mnist-vae-16d", section="Between distributions", dframes="5")
    assert not at.exception
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert "the path of the means μ_t" in captions
    assert any(c.startswith("4 samples from each N(μ_t, σ_t²), seed 0") for c in captions)
    samples = image_urls(at)[-1]
    at.number_input(key="dseed").set_value(3).run()
    assert image_urls(at)[-1] != samples
    at.number_input(key="dseed").set_value(0).run()
    assert image_urls(at)[-1] == samples, "a seed reopens the same samples"
    assert at.get("download_button")


def test_blend_grid_of_three_or_four_inputs_and_a_sentence_for_a_bad_link():
    four = open_page("app_pages/vae.py", model="mnist-vae-16d", section="Blend inputs", cells="4")
    assert not four.exception and len(four.radio) == 4
    assert four.get("image")[-1].proto.imgs[0].caption.startswith("Top left · Top right")
    three = open_page("app_pages/vae.py", model="mnist-vae-16d", section="Blend inputs", corners="3")
    assert len(three.radio) == 3 and image_urls(three)[-1] != image_urls(four)[-1]
    bad = open_page("app_pages/vae.py", model="mnist-vae-16d", section="Blend inputs", corners="5", c2_example="9999")
    assert not bad.exception and len(bad.radio) == 4
    warnings = " ".join(w.value for w in bad.warning)
    assert "three or four corners" in warnings and "“5”" in warnings
    assert "example “9999”; there are 1,000" in warnings
    upload = open_page("app_pages/vae.py", model="mnist-vae-16d", section="Blend inputs", c1_source="your upload")
    assert "Upload an image" in upload.info[0].value and not upload.exception


def test_after_an_upload_the_page_says_the_sliders_are_at_mu_and_the_button_says_so_too():
    """The upload moves the sliders to its μ; "Move the sliders to μ" then did nothing, without a word."""

    at = open_page(
        "app_pages/vae.py", model="mnist-vae-16d", section="Start from an example", example_source="Upload your own"
    )
    at.file_uploader(key="upload").set_value([("one.png", one_digit_png(), "image/png")]).run()
    assert not at.exception
    assert "The sliders moved to this image's μ." in [info.value for info in at.info]
    moved = [at.session_state[f"z{d + 1}"] for d in range(16)]
    at.button(key="use_upload").click().run()
    assert [toast.value for toast in at.toast] == ["The sliders are at μ already: the image put them there."]
    assert [at.session_state[f"z{d + 1}"] for d in range(16)] == moved
    at.button(key="reset").click().run()
    at.button(key="use_upload").click().run()
    assert not at.toast and [at.session_state[f"z{d + 1}"] for d in range(16)] == moved


def test_an_uploaded_image_is_let_go_once_read_whether_it_was_taken_or_refused(monkeypatch):
    """The page keeps what it shows (the μ, the sentence); the file itself left the server's upload
    store at once, not when the session ended (a reload keeps a session, and its files, two minutes)."""

    from explorer.ui import vae

    let_go = []
    monkeypatch.setattr(vae, "forget_uploads", lambda files: let_go.extend(f.name for f in files))
    at = open_page(
        "app_pages/vae.py", model="mnist-vae-16d", section="Start from an example", example_source="Upload your own"
    )
    at.file_uploader(key="upload").set_value([("one.png", one_digit_png(), "image/png")]).run()
    assert let_go == ["one.png"] and "The sliders moved to this image's μ." in [info.value for info in at.info]
    at.file_uploader(key="upload").set_value([("notes.png", b"text, not a picture", "image/png")]).run()
    assert let_go == ["one.png", "notes.png"]
    assert any("is not an image that can be read" in error.value for error in at.error) and not at.exception


def test_the_latent_planes_many_points_are_drawn_with_webgl_not_as_page_elements():
    """As SVG, the plane's 4,721 points (3,721 click targets, a thousand digits) made Chromium lay out
    the page's layers again at every frame of a slider drag beside it: 29 pictures/s instead of 39."""
    drawn = traces(open_page("app_pages/vae.py", model="mnist-vae-2d"))
    assert sum(trace_points(trace) for trace in drawn) > 4_000
    assert all(trace["type"] == "scattergl" for trace in drawn if trace_points(trace) > 1), [t["type"] for t in drawn]


def test_after_the_image_is_let_go_a_rerun_keeps_what_the_page_showed(monkeypatch):
    """Streamlit then hands the uploader's callback a DeletedFile: it had raised AttributeError."""

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    at = open_page(
        "app_pages/vae.py", model="mnist-vae-16d", section="Start from an example", example_source="Upload your own"
    )
    at.file_uploader(key="upload").set_value([("one.png", one_digit_png(), "image/png")]).run()
    assert "The sliders moved to this image's μ." in [info.value for info in at.info]
    monkeypatch.setattr(MemoryUploadedFileManager, "get_files", lambda self, session_id, file_ids: [])  # let go
    at.button(key="reset").click().run()
    assert not at.exception, at.exception
    assert "The sliders moved to this image's μ." in [info.value for info in at.info]
