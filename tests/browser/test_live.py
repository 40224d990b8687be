"""The live sliders in a real browser: the picture follows a drag, computed in the page by LiteRT.js
from the same .tflite file the server runs; the server hears once, on release; fallback when it cannot."""

from __future__ import annotations

import time

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from tests.support.browser import wait_idle, wait_live

VAES = sorted(c.name for c in list_checkpoints(("vae",), root=SHIPPED_CHECKPOINTS)[0])
GANS = sorted(c.name for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0])

CANVAS_PIXELS = """() => {
    const view = [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected);
    const c = view.canvas;
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
}"""


def canvas_image(page, shape) -> np.ndarray:
    """The live canvas as a uint8 (H, W, C) array, as the model drew it."""
    rgba = np.array(page.evaluate(CANVAS_PIXELS), dtype=np.uint8).reshape(shape[0], shape[1], 4)
    return rgba[..., :1] if shape[-1] == 1 else rgba[..., :3]


def count_sent_messages(page) -> list:
    """A list that grows by one for each WebSocket message the page sends to the server."""
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.monotonic())))
    return sent


@pytest.mark.parametrize("name", VAES)
def test_the_browser_decodes_what_the_server_decodes(page, app_url, name):
    """Parity: the same z, the same .tflite, in LiteRT.js and in Python's LiteRT: within 1/255."""
    from explorer.serving.models import ImageAutoencoder

    model = ImageAutoencoder.from_folder(SHIPPED_CHECKPOINTS / name)
    z = np.round(np.random.default_rng(7).uniform(-2.5, 2.5, model.latent_dim), 1)
    query = "&".join(f"z{d + 1}={value:g}" for d, value in enumerate(z))
    page.goto(f"{app_url}/vae?model={name}&{query}")
    wait_live(page)
    wait_idle(page)
    drawn = canvas_image(page, model.image_shape)
    expected = model.decode_latents(z)[0]
    assert np.abs(drawn.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("name", GANS)
def test_the_browser_generates_what_the_server_generates(page, app_url, name):
    from explorer.serving.models import ImageGenerator

    model = ImageGenerator.from_folder(SHIPPED_CHECKPOINTS / name)
    page.goto(f"{app_url}/gan?model={name}&seed=11&psi=0.8&d1=1.2&d3=-2")
    wait_live(page)
    wait_idle(page)
    drawn = canvas_image(page, model.image_shape)
    z = model.latent_for(11, 0.8, [1.2, 0.0, -2.0])
    label = model.class_names.index(model.default_class) if model.conditional else None  # the page's class
    expected = model.generate(z, label)[0]
    assert np.abs(drawn.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("address", ["/vae?model=mnist-vae-16d", "/gan?model=emoji-gan"])
def test_a_drag_redraws_the_picture_while_the_button_is_held_and_tells_the_server_once(page, app_url, address):
    page.set_viewport_size({"width": 1280, "height": 720})
    sent = count_sent_messages(page)  # before the page opens its WebSocket
    page.goto(app_url + address)
    wait_live(page)
    wait_idle(page)
    page.wait_for_timeout(500)
    del sent[:]
    slider = page.locator(".live input[type=range]").nth(1)
    box = slider.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    before = page.evaluate("() => window.liveFrames()")
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 41):
        page.mouse.move(x + box["width"] * 0.45 * step / 40, y)
        page.wait_for_timeout(15)
    during = page.evaluate("() => window.liveFrames()") - before
    held = len(sent)
    page.mouse.up()
    page.wait_for_function("() => /(z2|d1)=/.test(location.search)", timeout=20_000)
    wait_idle(page)
    assert during >= 5, f"only {during} pictures while the slider moved"
    assert held == 0, f"{held} messages reached the server while the button was held"
    assert len(sent) == 1, f"{len(sent)} messages on release, not one"


def test_keys_move_a_live_slider_and_a_link_reopens_it(page, app_url):
    page.goto(f"{app_url}/vae?model=mnist-vae-16d")
    frames = wait_live(page)
    slider = page.get_by_role("slider", name="z3 (σ)")
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => location.search.includes('z3=3')", timeout=20_000)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('z3=2.9')", timeout=20_000)
    assert page.evaluate("() => window.liveFrames()") >= frames + 2
    assert page.evaluate("() => document.activeElement.shadowRoot?.activeElement?.id ?? ''") == "live-z3" or (
        slider.evaluate("e => e.matches(':focus')")
    ), "the slider keeps the focus (and its ring) after the server has heard"
    page.goto(page.url)
    wait_live(page)
    assert page.get_by_role("slider", name="z3 (σ)").input_value() == "2.9"
    page.get_by_text("z = [0.0, 0.0, 2.9").first.wait_for(timeout=20_000)


def test_without_webassembly_the_page_draws_on_the_server_and_says_so(page, app_url):
    page.route("**/runtime/**", lambda route: route.abort())  # a proxy that blocks the runtime
    page.goto(f"{app_url}/vae?model=mnist-vae-16d&z2=1")
    page.get_by_text("Pictures are drawn on the server").wait_for(timeout=60_000)
    image = page.locator(".st-key-on_screen_decoded img")
    image.wait_for(timeout=30_000)
    before = image.get_attribute("src")
    page.get_by_role("slider", name="z2 (σ)").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('z2=1.1')", timeout=20_000)
    page.wait_for_function(
        "before => document.querySelector('.st-key-on_screen_decoded img').src !== before", arg=before, timeout=20_000
    )
    page.console_errors[:] = [e for e in page.console_errors if "ERR_FAILED" not in e]  # the blocked requests


def test_a_model_file_the_page_cannot_load_gets_a_sentence(page, app_url):
    page.route("**/models/**", lambda route: route.fulfill(status=200, body=b"not a model"))
    page.goto(f"{app_url}/gan?model=mnist-gan")
    page.get_by_text("Pictures are drawn on the server").wait_for(timeout=60_000)
    page.locator(".st-key-on_screen_sample img").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0


TEXT_OUTPUT = "() => [...window.__latentExplorerLive.views.values()].find(v => v.root.isConnected && v.text)"


def test_the_page_writes_the_servers_text_for_the_same_seed_and_its_views_follow(page, app_url):
    from explorer.maths.sampling import clean_prompt
    from explorer.serving.models import CharModel
    from explorer.serving.text_generation import generate
    from explorer.ui.text import DEFAULT_PROMPT

    name = list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0][0].name
    page.goto(f"{app_url}/text?model={name}&text_seed=5&length=200&temperature=0.8&top_p=0.9")
    page.locator(".live-text[data-state='live']").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("per second in your browser").wait_for(timeout=60_000)
    written = page.evaluate(f"() => ({TEXT_OUTPUT})().text.textContent")
    model = CharModel.from_folder(SHIPPED_CHECKPOINTS / name)
    prompt = clean_prompt(DEFAULT_PROMPT, model.vocabulary).text
    assert written == "".join(step.char for step in generate(model, prompt, 200, 0.8, 0, 0.9, 5))
    assert "written=1" in page.url
    page.get_by_text("The darker the highlight").wait_for(timeout=20_000)  # the steps came back to Python
    page.goto(page.url)  # a link to the written text writes it again, in the browser
    page.get_by_text("per second in your browser").wait_for(timeout=60_000)
    assert page.evaluate(f"() => ({TEXT_OUTPUT})().text.textContent") == written


def test_without_webassembly_the_server_writes_and_says_so(page, app_url):
    page.route("**/runtime/**", lambda route: route.abort())
    page.goto(f"{app_url}/text?length=50")
    page.get_by_text("Text is written on the server").wait_for(timeout=60_000)
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("50 characters").wait_for(timeout=60_000)
    page.console_errors[:] = [e for e in page.console_errors if "ERR_FAILED" not in e]


def test_the_latent_plane_decodes_under_the_pointer_and_gives_the_picture_back(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/vae?model=mnist-vae-2d&z1=-1&z2=2")
    frames = wait_live(page)
    wait_idle(page)
    plane = page.locator(".st-key-latent_map .nsewdrag").first
    box = plane.bounding_box()
    for step in range(12):  # across the plane at about z2 = 1.5
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.05 * step), box["y"] + box["height"] * 0.25)
        page.wait_for_timeout(40)
    caption = page.locator(".live figcaption.z")
    caption.filter(has_text="under the pointer: z = [").wait_for(timeout=10_000)
    assert page.evaluate("() => window.liveFrames()") >= frames + 3, "each point under the pointer is decoded"
    assert "z1=-1" in page.url and "z2=2" in page.url, "pointing moves nothing; only a click does"
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] + 150)  # off the plane
    caption.filter(has_text="z = [-1.0, 2.0]").wait_for(timeout=10_000)


def test_the_discriminator_judges_each_picture_in_the_page_as_the_server_does(page, app_url):
    page.goto(f"{app_url}/gan?model=mnist-cgan&class=7&section=Discriminator")
    wait_live(page)
    verdict = page.locator(".live .verdict")
    verdict.wait_for(timeout=30_000)
    first = float(verdict.get_attribute("data-score"))
    page.goto(f"{app_url}/gan?model=mnist-cgan&class=7&runtime=server")
    caption = page.get_by_text("discriminator: ").first
    caption.wait_for(timeout=60_000)
    on_server = int(caption.inner_text().split("discriminator: ")[1].split("%")[0])
    assert abs(100 * first - on_server) <= 1, "the page's D and the server's agree on the same picture"
    page.goto(f"{app_url}/gan?model=mnist-cgan&class=7&section=Discriminator")
    frames = wait_live(page)
    page.get_by_role("slider", name="Truncation ψ").focus()
    page.keyboard.press("Home")  # ψ = 0: the average image, which D finds far less real
    page.wait_for_function("n => window.liveFrames() > n", arg=frames, timeout=20_000)
    page.wait_for_function(
        "first => Number([...window.__latentExplorerLive.views.values()].find(view => view.root.isConnected)"
        ".verdict.dataset.score) !== first",
        arg=first,
        timeout=20_000,
    )
    assert verdict.inner_text().startswith("Discriminator: ") and verdict.inner_text().endswith("% real")
