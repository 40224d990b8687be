"""AppTest for presenter mode and shared links (issue #6): `?presenter=true` turns presenter mode on
and it stays on from page to page; explanations fold away; images grow; a link reopens the view."""

import json

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from explorer.ui.common import DISPLAY_PIXELS
from explorer.ui.presenter import IMAGE_SCALE
from tests.support.apptest import about, captions, live_data, open_app, open_page, written_steps
from tests.support.data import ROOT

VAE_INTRO = "A variational autoencoder squeezes each image"


def test_the_url_turns_presenter_mode_on_and_it_stays_on_from_page_to_page():
    at = open_app(presenter="true")
    assert at.toggle(key="presenter").value
    for page in ("app_pages/vae.py", "app_pages/gan.py", "app_pages/text.py", "app_pages/home.py"):
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.toggle(key="presenter").value, f"presenter mode was lost on the way to {page}"
        assert at.query_params["presenter"] == "true"


def test_explanations_show_normally_and_fold_away_in_presenter_mode():
    at = open_app("app_pages/vae.py")
    assert VAE_INTRO in captions(at) and not at.expander
    at.toggle(key="presenter").set_value(True).run()
    assert VAE_INTRO not in captions(at)
    folded = about(at)
    assert not folded.proto.expanded and VAE_INTRO in folded.markdown[0].value
    at.toggle(key="presenter").set_value(False).run()
    assert VAE_INTRO in captions(at) and not at.expander


def test_home_page_keeps_its_links_and_folds_the_descriptions():
    normal, presenting = open_app(), open_app(presenter="true")
    for at in (normal, presenting):
        assert [link.proto.label for link in at.get("page_link")] == [
            "Open the VAE explorer",
            "Open the GAN explorer",
            "Open the Projector",
            "Open the Text generator",
        ]
    vae_description = "one slider per latent dimension"
    assert any(vae_description in m.value for m in normal.markdown) and not normal.expander
    assert vae_description in about(presenting, "About these pages").markdown[0].value
    assert sum(vae_description in m.value for m in presenting.markdown) == 1, "only inside the About"


@pytest.fixture()
def image_widths(monkeypatch) -> dict:
    """The `width` every st.image call asks for while a test runs, by caption."""
    widths, real_image = {}, streamlit.image

    def spy(image, caption=None, width="content", **kwargs):
        widths[caption] = width
        return real_image(image, caption=caption, width=width, **kwargs)

    monkeypatch.setattr(streamlit, "image", spy)
    return widths


def test_model_images_are_larger_in_presenter_mode(image_widths):
    live = live_data(open_app("app_pages/vae.py", section="Start from an example"))
    normal = dict(image_widths)
    presenting = live_data(open_app("app_pages/vae.py", section="Start from an example", presenter="true"))
    assert live["pixels"] == DISPLAY_PIXELS and not live["large"]  # drawn in the browser
    assert presenting["pixels"] == round(DISPLAY_PIXELS * IMAGE_SCALE) > DISPLAY_PIXELS and presenting["large"]
    assert image_widths["decode of μ"] > normal["decode of μ"]  # and the smaller images too
    open_app("app_pages/vae.py", runtime="server")  # drawn on the server
    assert image_widths["decoded image"] == DISPLAY_PIXELS
    open_app("app_pages/vae.py", runtime="server", presenter="true")
    assert image_widths["decoded image"] == round(DISPLAY_PIXELS * IMAGE_SCALE)


def test_charts_have_larger_type_and_height_in_presenter_mode():
    from explorer.ui.presenter import CHART_FONT_PX

    layouts = [
        json.loads(
            open_app("app_pages/gan.py", section="Training timeline", **query).get("plotly_chart")[0].proto.spec
        )["layout"]
        for query in ({}, {"presenter": "true"})
    ]
    assert "size" not in layouts[0].get("font", {}) and layouts[1]["font"]["size"] == CHART_FONT_PX
    assert layouts[1]["xaxis"]["tickfont"]["size"] == CHART_FONT_PX and layouts[1]["height"] > layouts[0]["height"]


def test_a_link_reopens_the_vae_interpolation():
    at = open_page(
        "app_pages/vae.py",
        section="Interpolate",
        from_source="held-out example",
        from_example="5",
        frames="5",
        path="spherical",
    )
    assert not at.exception
    assert at.radio(key="from_source").value == "held-out example" and at.number_input(key="from_example").value == 5
    assert at.slider(key="frames").value == 5 and at.radio(key="path").value == "spherical"


def test_a_link_reopens_the_vae_example_the_comparison_seed_and_the_traversal_switch():
    at = open_page("app_pages/vae.py", section="Start from an example", example="7", show_traversal="false")
    assert at.number_input(key="example").value == 7 and at.toggle(key="show_traversal").value is False
    at = open_page("app_pages/vae.py", section="Autoencoder vs VAE", compare_seed="3")
    assert at.number_input(key="compare_seed").value == 3


def test_a_link_reopens_the_gan_direction_names_raw_sliders_and_tabs():
    at = open_page(
        "app_pages/gan.py",
        names=["1:stroke width", "3:slant", "x:not a number", "0:none"],
        show_raw="true",
        section="Training timeline",
        epoch="3",
    )
    assert not at.exception
    labels = {s["id"]: s["label"] for s in live_data(at)["sliders"]}
    assert labels["d1"].startswith("stroke width") and labels["d3"].startswith("slant")
    assert labels["d2"].startswith("Direction 2")
    assert at.toggle(key="show_raw").value and "dz1" in labels
    assert at.select_slider(key="epoch").value == 3
    at = open_page("app_pages/gan.py", section="Interpolate", from_seed="4", to_seed="9", frames="6")
    assert (at.number_input(key="from_seed").value, at.number_input(key="to_seed").value) == (4, 9)
    assert at.slider(key="frames").value == 6


def test_naming_a_direction_puts_the_name_in_the_url():
    at = open_page("app_pages/gan.py", section="Directions")
    at.text_input(key="name2").input("slant").run()
    assert at.query_params["names"] == "2:slant"
    at.text_input(key="name2").input("").run()
    assert "names" not in at.query_params


def test_a_link_to_written_text_writes_the_same_text():
    at = open_page("app_pages/text.py", runtime="server", length="120", text_seed="5")
    assert written_steps(at) is None
    at.button(key="generate").click().run()
    written = "".join(step.char for step in written_steps(at))
    assert at.query_params["written"] == "1" and len(written) == 120
    again = open_page("app_pages/text.py", runtime="server", length="120", text_seed="5", written="1")
    assert not again.exception
    assert again.code[0].value == written, "the link writes the same text, without pressing Generate"


def test_a_model_picked_on_one_page_neither_leaks_into_another_nor_is_lost():
    at = open_app("app_pages/vae.py")
    at.selectbox(key="model").set_value("mnist-vae-16d").run()
    at.switch_page("app_pages/gan.py").run()
    gans = list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0]
    default_gan = min(gans, key=lambda c: (c.config.latent_dim, c.name)).name  # the picker's first
    assert not at.exception and at.selectbox(key="model").value == default_gan
    at.switch_page("app_pages/vae.py").run()
    assert at.selectbox(key="model").value == "mnist-vae-16d" and len(live_data(at)["sliders"]) == 16


def scroll_targets(at: AppTest) -> list[str]:
    return [
        json.loads(e.proto.json)["target"]
        for e in at.get("bidi_component")
        if e.proto.component_name.endswith("scroll_to_tabs")
    ]


@pytest.mark.parametrize(
    ("script", "section"), [("app_pages/vae.py", "Interpolate"), ("app_pages/gan.py", "Training timeline")]
)
def test_a_link_naming_a_tab_scrolls_to_it_on_arrival_only(script, section):
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    at.query_params["section"] = section
    at.query_params["runtime"] = "server"  # a slider Streamlit draws, to move below
    at.run()
    assert scroll_targets(at) == [".st-key-section"], "the link's tab is brought into view"
    at.slider[0].set_value(0.5).run()
    assert not scroll_targets(at), "later runs leave the scroll position to the person"
    plain = AppTest.from_file(str(ROOT / script), default_timeout=60).run()
    assert not scroll_targets(plain), "a link without a tab opens at the top"
