"""Real browser: the live sliders as a new user and an instructor met them (issue 35, items 1–5 and 15).

Each test is one break that the suite let through, reproduced with the mouse and keyboard; the crawl
(tests/browser/test_crawl.py) checks the same things after every one of its actions.
"""

from __future__ import annotations

from tests.support import seen
from tests.support.browser import settle, wait_drawn, wait_live

BLOCKS = """key => [...document.querySelectorAll('.st-key-' + key + ' *')].filter((el) => el.shadowRoot)
    .flatMap((el) => [...el.shadowRoot.children]).filter((el) => el.classList.contains('live')).length"""


def test_a_model_or_direction_change_leaves_one_block_of_sliders(page, app_url):
    """Directions 6 → 7 → 8, then another model: each change had added a whole block, the old ones kept."""
    page.goto(f"{app_url}/gan?model=mnist-cgan")
    wait_live(page)
    field = page.get_by_test_id("stNumberInputField").and_(page.get_by_label("Directions"))
    for count in ("7", "8"):
        settle(page, lambda c=count: (field.fill(c), field.press("Enter")))
        wait_drawn(page)
        assert page.evaluate(BLOCKS, "live_gan") == 1
        assert page.locator(".live input[type=range]").count() == 1 + int(count)  # ψ and the directions
    page.goto(f"{app_url}/vae?model=mnist-vae-16d")
    wait_live(page)
    picker = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first
    settle(page, lambda: (picker.click(), page.get_by_role("option", name="emoji-vae-16d").click()))
    wait_drawn(page)
    page.locator(".live[data-state=live]").first.wait_for(timeout=30_000)
    assert page.evaluate(BLOCKS, "live_vae") == 1
    assert seen.problems(page) == []


def test_presenting_at_1280x720_the_picture_beside_the_sliders_covers_none_and_stays_in_view(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/vae?model=mnist-vae-2d&presenter=true")
    wait_live(page)
    wait_drawn(page)
    assert seen.problems(page, opened=True) == []  # the picture had lain over both sliders' ends
    page.goto(f"{app_url}/vae?model=mnist-vae-16d&presenter=true")
    wait_live(page)
    slider = page.locator("#live-z12")
    settle(page, lambda: (slider.focus(), page.keyboard.press("ArrowRight")))
    picture = page.locator(".live canvas").bounding_box()
    assert slider.bounding_box()["y"] > 300, "z12 sits low: the page has scrolled to it"
    assert picture["y"] >= 0 and picture["y"] + picture["height"] <= 720, f"the picture scrolled away: {picture}"


def test_the_planes_mark_follows_a_drag_the_keys_and_a_random_sample(page, app_url):
    page.goto(f"{app_url}/vae?model=mnist-vae-2d")
    wait_live(page)
    mark = page.locator(".live-plane-mark")
    assert mark.get_attribute("data-z") == "[0,0]"
    track = page.locator("#live-z1").bounding_box()
    page.mouse.move(track["x"] + track["width"] / 2, track["y"] + track["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] - 1, track["y"] + track["height"] / 2, steps=8)
    assert mark.get_attribute("data-z") == "[3,0]", "the × follows the drag itself, before the release"
    settle(page, page.mouse.up)
    settle(page, lambda: (page.locator("#live-z2").focus(), page.keyboard.press("ArrowLeft")))
    assert mark.get_attribute("data-z") == "[3,-0.1]"
    settle(page, page.get_by_role("button", name="Random sample").click)
    wait_drawn(page)
    assert seen.problems(page) == []  # the ×, the sliders, the z line and the URL agree


def test_a_held_arrow_key_moves_the_slider_every_step(page, app_url):
    """Ten steps 50 ms apart from −2 ended at −1.4: reruns answering earlier steps put older values back."""
    page.goto(f"{app_url}/vae?model=mnist-vae-16d&z2=-2")
    wait_live(page)
    slider = page.locator("#live-z2")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)
    page.wait_for_timeout(1_500)
    wait_drawn(page)
    assert slider.input_value() == "-1"
    page.wait_for_function("() => location.search.includes('z2=-1') && !location.search.includes('z2=-1.')")


def test_a_live_page_asks_for_no_gpu_and_logs_no_warning_about_one(page, app_url):
    """LiteRT.js probed WebGPU when it loaded, though every model runs on the CPU: "No GPU adapter
    found" on every live page."""
    lines = []
    page.on("console", lambda message: message.type in ("warning", "error") and lines.append(message.text))
    page.goto(f"{app_url}/gan?model=mnist-gan")
    wait_live(page)
    assert not [line for line in lines if "GPU" in line or "adapter" in line], lines


def test_a_page_fetches_nothing_from_outside_the_app(page, app_url):
    """The page icon, a Material icon name, made every visitor's browser ask fonts.gstatic.com for it."""
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{app_url}/gan?model=mnist-gan")
    wait_live(page)
    wait_drawn(page)
    outside = [url for url in asked if not url.startswith((app_url, "data:", "blob:"))]
    assert not outside, outside
