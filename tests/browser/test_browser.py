"""Real browser: `streamlit run` on a free loopback port, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import re

import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from tests.support.browser import settle, wait_idle, wait_live


def linked_epochs() -> tuple[int, int]:
    """An early epoch the shipped mnist-gan's timeline kept, and the next kept one: its run decides which."""
    import numpy as np

    epochs = [int(e) for e in np.load(SHIPPED_CHECKPOINTS / "mnist-gan" / "timeline.npz")["epochs"]]
    index = next(i for i, epoch in enumerate(epochs) if epoch >= 4)
    return epochs[index], epochs[index + 1]


def largest_vae() -> str:
    vaes = list_checkpoints(("vae",), root=SHIPPED_CHECKPOINTS)[0]
    return max(vaes, key=lambda c: c.config.latent_dim).name


def main_image(page):
    return page.locator("[data-testid='stImage'] img").first


def test_arrow_key_on_a_slider_changes_the_image_and_the_url(page, app_url):
    page.goto(f"{app_url}/vae?model={largest_vae()}")
    frames = wait_live(page)
    assert page.get_by_role("link", name="VAE").count() >= 1, "navigation comes from st.navigation"
    # z2: z1 of the 16-d model is one it barely uses.
    settle(page, lambda: (page.get_by_role("slider", name="z2 (σ)").focus(), page.keyboard.press("ArrowRight")))
    page.wait_for_function("n => window.liveFrames() > n", arg=frames, timeout=20_000)
    page.wait_for_function("() => location.search.includes('z2=0.1')", timeout=10_000)


def test_link_with_a_latent_vector_opens_the_same_image(page, app_url):
    page.goto(f"{app_url}/vae?model={largest_vae()}&z1=2.5&z2=-1")
    wait_live(page)
    caption = page.get_by_text("z = [2.5, -1.0").first
    caption.wait_for(timeout=20_000)


def test_a_file_that_is_not_an_image_gets_a_sentence(page, app_url, tmp_path):
    page.goto(f"{app_url}/vae?section=Start+from+an+example")
    main_image(page).wait_for(timeout=60_000)
    page.get_by_role("tab", name="Upload your own").click()
    fake = tmp_path / "notes.png"
    fake.write_text("this is text pretending to be a picture")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(fake))
    page.get_by_text("notes.png: The file is not an image that can be read").wait_for(timeout=20_000)
    assert page.get_by_text("Traceback").count() == 0


def test_clicking_the_latent_map_moves_the_sliders_and_the_url(page, app_url):
    page.goto(f"{app_url}/vae?model=mnist-vae-2d")
    main_image(page).wait_for(timeout=60_000)
    plane = page.locator(".js-plotly-plot .nsewdrag").first
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)  # about (1.5, 1.5)
    page.wait_for_function(
        "() => /z1=1\\.[0-9]/.test(location.search) && /z2=1\\.[0-9]/.test(location.search)", timeout=20_000
    )


def test_random_sample_button_puts_the_new_vector_in_the_url(page, app_url):
    page.goto(f"{app_url}/vae?model=mnist-vae-2d")
    main_image(page).wait_for(timeout=60_000)
    # On a busy machine a click that lands while the page still runs was lost: click on an idle page.
    settle(page, page.get_by_role("button", name="Random sample").click)
    page.wait_for_function("() => location.search.includes('z1=') || location.search.includes('z2=')", timeout=20_000)
    caption = page.get_by_text("z = [").first.inner_text()
    z1 = caption.split("[")[1].split(",")[0]
    assert f"z1={float(z1):g}" in page.url or float(z1) == 0.0


def test_gan_direction_slider_changes_the_image_and_the_url(page, app_url):
    page.goto(f"{app_url}/gan?model=mnist-gan&seed=3")
    frames = wait_live(page)
    settle(page, lambda: (page.get_by_role("slider", name="Direction 1").focus(), page.keyboard.press("ArrowRight")))
    page.wait_for_function("n => window.liveFrames() > n", arg=frames, timeout=20_000)
    page.wait_for_function("() => location.search.includes('d1=0.1')", timeout=10_000)
    assert "seed=3" in page.url


def test_gan_seed_that_is_not_a_number_gets_a_sentence(page, app_url):
    page.goto(f"{app_url}/gan?model=emoji-gan")
    main_image(page).wait_for(timeout=60_000)
    seed = page.get_by_role("textbox", name="Seed", exact=True)
    seed.fill("seven")
    seed.press("Enter")
    page.get_by_text("“seven” is not").wait_for(timeout=20_000)
    assert page.get_by_text("Traceback").count() == 0
    page.get_by_role("button", name="New random").click()
    page.wait_for_function("() => /seed=[0-9]+/.test(location.search)", timeout=20_000)


def test_projector_colouring_changes_the_plot_and_a_click_inspects_a_point(page, app_url):
    page.goto(f"{app_url}/projector?data=mnist-vae-16d")
    legend = page.locator(".js-plotly-plot .legendtext")
    legend.first.wait_for(timeout=60_000)
    assert "0" in legend.evaluate_all("items => items.map(e => e.textContent)")  # SVG text
    settle(page, lambda: choose(page, "Colour by", "split"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].some(e => e.textContent === 'held-out')",
        timeout=30_000,
    )
    page.wait_for_function("() => location.search.includes('color=split')", timeout=10_000)
    plot = page.locator(".js-plotly-plot").first
    plot.scroll_into_view_if_needed()
    # Where plotly drew the first held-out point (drawn above the training points), in page pixels.
    x, y = plot.evaluate("""gd => {
        const trace = gd._fullData.find(t => t.name === 'held-out'), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(trace.x[0]), box.top + ya._offset + ya.l2p(trace.y[0])];
    }""")
    point = page.get_by_role("spinbutton", name="Point #")
    page.mouse.click(x, y)
    page.wait_for_function("() => /[?&]point=[1-9]/.test(location.search)", timeout=20_000)
    page.wait_for_function(
        "() => document.querySelector('input[aria-label=\"Point #\"]').value !== '0'", timeout=20_000
    )
    assert f"point={point.input_value()}" in page.url
    assert page.get_by_text(f"nearest points to #{point.input_value()}").count() == 1
    assert page.get_by_text("Traceback").count() == 0


def test_a_box_sends_the_rows_it_holds_not_the_points_and_isolates_them(page, app_url):
    """Streamlit's own selection message carries each point whole (~400 bytes; 21 MB for 50,000), and a
    server that accepts that much from any browser can be filled with junk: the rows travel alone."""
    sent = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(len(payload))))
    page.set_viewport_size({"width": 1440, "height": 900})  # the whole plot in view
    page.goto(f"{app_url}/projector?data=mnist-vae-16d")
    page.locator(".js-plotly-plot .legendtext").first.wait_for(timeout=60_000)
    plot = page.locator(".js-plotly-plot").first
    page.locator(".js-plotly-plot .modebar-btn[data-val='select']").first.click()
    area = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    drawn = plot.evaluate("gd => new Set(gd._fullData.flatMap(t => (t.customdata || []).map(c => c[0]))).size")
    sent.clear()
    left, top, width, height = area["x"] + 2, area["y"] + 2, area["width"] - 4, area["height"] - 4
    page.mouse.move(left, top)
    page.mouse.down()
    for step in range(1, 11):  # the left 60 % of the plot, top to bottom
        page.mouse.move(left + step * width * 0.06, top + step * height / 10)
    page.mouse.up()
    caption = page.get_by_text(re.compile(r"^[0-9,]+ points selected\.$"))
    caption.wait_for(timeout=30_000)
    selected = int(caption.inner_text().split()[0].replace(",", ""))
    assert drawn == 9_000 and 1_000 < selected < drawn
    assert max(sent) < 30 * selected, f"{max(sent):,} bytes sent for {selected:,} points"
    page.get_by_role("button", name="Isolate the selection").click()
    page.get_by_text(f"Showing {selected:,} isolated points of 9,000.").wait_for(timeout=30_000)


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`. Typing opens and filters its list: a click
    alone sometimes only focuses the field once the page has scrolled."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def hover_a_point(page) -> int:
    """Move the pointer onto a point of the Projector's plot; the row whose thumbnail then shows."""
    plot = page.locator(".st-key-plot .js-plotly-plot")
    plot.wait_for(timeout=60_000)
    plot.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.st-key-plot .js-plotly-plot')?._fullData", timeout=30_000)
    thumbnail = page.locator(".hover-thumbnail")
    thumbnail.wait_for(state="attached", timeout=30_000)  # the component has found the chart
    # Where plotly drew a point of the first trace (a nearer neighbour may win the hover).
    x, y = plot.evaluate("""gd => {
        const trace = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect(), i = Math.floor(trace.x.length / 2);
        return [box.left + xa._offset + xa.l2p(trace.x[i]), box.top + ya._offset + ya.l2p(trace.y[i])];
    }""")
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=5)
    # plotly throttles hover events: wait until the picture and plotly's label name the same point.
    page.wait_for_function(
        """() => {
        const tip = document.querySelector('.hover-thumbnail'), layer = document.querySelector('.hoverlayer');
        return tip && tip.style.display === 'block' && layer
            && layer.textContent.startsWith('#' + tip.dataset.row);
    }""",
        timeout=10_000,
    )
    return int(thumbnail.get_attribute("data-row"))


def test_projector_hover_shows_the_point_thumbnail_and_leaving_hides_it(page, app_url):
    page.goto(f"{app_url}/projector?data=emoji-vae-16d&method=UMAP")
    hover_a_point(page)
    thumbnail = page.locator(".hover-thumbnail")
    assert "webp" in thumbnail.evaluate("e => getComputedStyle(e).backgroundImage")[:40]
    page.mouse.move(5, 5)
    thumbnail.wait_for(state="hidden", timeout=10_000)


def test_projector_hover_thumbnails_survive_a_new_method_and_colouring(page, app_url):
    """After a rerun replaced the chart, the component called a purged chart's removeListener every
    300 ms (a console error) and never showed a thumbnail again."""
    page.goto(f"{app_url}/projector?data=mnist-vae-16d")
    hover_a_point(page)
    page.mouse.move(5, 5)
    settle(page, lambda: page.get_by_role("radio", name="UMAP").click())
    page.wait_for_function("() => location.search.includes('method=UMAP')", timeout=10_000)
    hover_a_point(page)
    page.mouse.move(5, 5)
    settle(page, lambda: choose(page, "Colour by", "split"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')].some(e => e.textContent === 'held-out')",
        timeout=30_000,
    )
    hover_a_point(page)
    page.wait_for_timeout(700)  # two rounds of the component's 300 ms search for the chart
    assert not page.console_errors


def test_projector_upload_of_a_ragged_file_gets_a_sentence(page, app_url, tmp_path):
    ragged = tmp_path / "vectors.tsv"
    ragged.write_text("1\t2\t3\n4\t5\n")
    page.goto(f"{app_url}/projector?data=Upload+Projector+files")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(ragged))
    page.get_by_text("line 2").wait_for(timeout=30_000)
    assert page.get_by_text("Traceback").count() == 0


def test_markdown_in_a_link_shows_as_text_and_fetches_nothing(page, app_url):
    from urllib.parse import quote

    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    names = ["1:[Sign in](https://evil.example)", "2:![](http://127.0.0.1:9/pixel.png)"]
    page.goto(f"{app_url}/gan?model=mnist-gan&" + "&".join(f"names={quote(name)}" for name in names))
    wait_live(page)
    page.get_by_text("[Sign in](https:").wait_for(timeout=20_000)  # shown as typed (an invisible
    page.get_by_text("![](http:").wait_for(timeout=20_000)  # word joiner splits each "//")
    assert page.locator("a[href*='evil.example'], img[src*='127.0.0.1:9']").count() == 0
    assert not [url for url in fetched if "127.0.0.1:9/" in url]


def test_markdown_in_an_uploaded_file_name_shows_as_text(page, app_url, tmp_path):
    ragged = tmp_path / "[Sign in](https:evil.example).tsv"
    ragged.write_text("1\t2\t3\n4\t5\n")
    page.goto(f"{app_url}/projector?data=Upload+Projector+files")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(ragged))
    page.get_by_text("[Sign in](https:evil.example).tsv").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stAlert'] a").count() == 0


def test_projector_takes_a_standalone_export_with_binary_tensors(page, app_url, tmp_path):
    """The uploader refused `.bytes`, so a config naming one said the file was not uploaded."""
    import json

    import numpy as np

    vectors = np.random.default_rng(0).standard_normal((30, 5)).astype("<f4")
    (tmp_path / "demo_tensors.bytes").write_bytes(vectors.tobytes())
    (tmp_path / "demo_labels.tsv").write_text("".join(f"word{i}\n" for i in range(30)))
    (tmp_path / "projector_config.json").write_text(
        json.dumps(
            {
                "embeddings": [
                    {
                        "tensorName": "demo",
                        "tensorShape": [30, 5],
                        "tensorPath": "demo_tensors.bytes",
                        "metadataPath": "demo_labels.tsv",
                    }
                ]
            }
        )
    )
    page.goto(f"{app_url}/projector?data=Upload+Projector+files")
    wait_idle(page)
    settle(
        page,
        lambda: page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            [str(tmp_path / name) for name in ("projector_config.json", "demo_tensors.bytes", "demo_labels.tsv")]
        ),
    )
    page.get_by_text("30 points").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def test_text_streams_into_the_page_and_stays_after_it_ends(page, app_url):
    """The server path (a browser that cannot run the model): streamed through Streamlit."""
    name = list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0][0].name
    page.goto(f"{app_url}/text?runtime=server&model={name}&length=200&text_seed=1&prompt=ROMEO%3A%0A")
    page.get_by_role("button", name="Generate").click()
    output = page.locator(".st-key-output")
    output.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const text = document.querySelector('.st-key-output code')?.innerText ?? '';"
        " return text.length > 20 && !text.startsWith('The text appears here'); }",
        timeout=30_000,
    )
    page.get_by_text("200 characters").wait_for(timeout=30_000)
    page.get_by_role("button", name="Download the prompt and text").wait_for(
        timeout=30_000
    )  # drawn once the text is done
    assert page.get_by_text("Traceback").count() == 0


def test_presenter_link_opens_larger_type_and_images_and_keeps_the_mode_across_pages(page, app_url):
    def measure():
        wait_live(page)
        page.wait_for_timeout(500)  # the page's style arrives with its elements
        label = page.evaluate(
            """() => parseFloat(getComputedStyle(document.querySelector("[data-testid='stWidgetLabel'] p")).fontSize)"""
        )
        return {"label": label, "image": page.locator(".live canvas").first.bounding_box()["width"]}

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{app_url}/vae?model={largest_vae()}")  # the 2-d model shares its row with the latent plane
    normal = measure()
    page.goto(f"{app_url}/vae?model={largest_vae()}&presenter=true")
    presenting = measure()
    assert presenting["label"] >= 1.2 * normal["label"], (normal, presenting)
    assert presenting["image"] >= 1.3 * normal["image"], (normal, presenting)
    assert page.get_by_text("A variational autoencoder squeezes").is_hidden(), "folded into “About this page”"
    page.get_by_role("link", name="GAN").click()
    page.wait_for_function(
        "() => location.pathname.endsWith('/gan') && location.search.includes('presenter=true')", timeout=20_000
    )
    assert measure()["label"] == presenting["label"]


def test_a_link_with_an_infinite_seed_opens_at_the_default(page, app_url):
    """Streamlit 1.67 would raise OverflowError seeding a whole-number field from ?text_seed=inf."""
    page.goto(f"{app_url}/text?text_seed=inf&length=50")
    page.get_by_role("button", name="Generate").wait_for(timeout=60_000)
    page.wait_for_function("() => !location.search.includes('text_seed')", timeout=20_000)
    assert "length=50" in page.url, "the rest of the link is kept"
    assert page.locator(".st-key-text_seed input").input_value() == "0"
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_link_naming_a_tab_opens_with_the_tab_in_view(page, app_url):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/vae?model=mnist-vae-2d&section=Interpolate")
    tabs = page.locator(".st-key-section")
    tabs.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => { const top = document.querySelector('.st-key-section').getBoundingClientRect().top;"
        " return top > 0 && top < 360; }",
        timeout=20_000,
    )
    page.goto(f"{app_url}/vae?model=mnist-vae-2d")
    tabs.wait_for(timeout=60_000)  # the main image comes before the tabs; a busy machine showed the gap
    wait_idle(page)
    assert page.evaluate("() => document.querySelector('.st-key-section').getBoundingClientRect().top") > 720, (
        "without a tab in the link, the page opens at the top (the tabs below the fold)"
    )


# The linked tab's panel arrives late: until a second after the page first scrolls, the panel is
# 40 px tall, so the page is too short to bring the tabs to the top; then it has its full height.
LATE_PANEL = """
const style = document.createElement("style");
style.textContent = ".st-key-section [role=tabpanel] { max-height: 40px; overflow: hidden; }";
document.addEventListener("DOMContentLoaded", () => document.head.appendChild(style));
document.addEventListener("scroll", () => {
  if (window.__panelArrived !== undefined) return;
  window.__panelArrived = false;
  setTimeout(() => { style.remove(); window.__panelArrived = true; }, 1000);
}, true);
"""


def test_a_linked_tab_comes_into_view_when_its_panel_arrives_late(page, app_url):
    """On a busy machine the tab's panel (the timeline's pictures) can be drawn after the page has
    scrolled to the tabs, when the page was still too short to bring them up: the page goes on
    bringing them up until they are in place (a CI run under load saw the line stay below the fold)."""
    page.add_init_script(LATE_PANEL)
    page.set_viewport_size({"width": 1280, "height": 720})
    epoch, _ = linked_epochs()
    page.goto(f"{app_url}/gan?model=mnist-gan&section=Training+timeline&epoch={epoch}")
    page.get_by_text(f"Epoch {epoch}'s discriminator: these samples").wait_for(timeout=60_000)
    page.wait_for_function("() => window.__panelArrived === true", timeout=30_000)
    page.wait_for_function(
        "() => { const all = [...document.querySelectorAll('[data-testid=stCaptionContainer]')];"
        f' const line = all.find(e => e.textContent.includes("Epoch {epoch}\'s discriminator"));'
        " const box = line.getBoundingClientRect(); return box.top > 0 && box.bottom < 720; }",
        timeout=5_000,
    )


FOLD_PAGES = [  # (address, what must be on screen without scrolling)
    (
        "/vae?model=mnist-vae-2d",
        [
            ".live canvas",
            ".st-key-latent_map .js-plotly-plot",
            "input[type=range][id=live-z1]",
            "input[type=range][id=live-z2]",
        ],
    ),
    (f"/vae?model={largest_vae()}", [".live canvas"]),
    *[
        (f"/gan?model={name}", [".live canvas", "[class*='st-key-on_screen_tall_other_seeds'] img"])
        for name in sorted(c.name for c in list_checkpoints(("gan",), root=SHIPPED_CHECKPOINTS)[0])
    ],
]


@pytest.mark.parametrize("size", [(1280, 720, True), (1280, 800, False)], ids=["presenter-1280x720", "1280x800"])
@pytest.mark.parametrize("address, selectors", FOLD_PAGES, ids=[a for a, _ in FOLD_PAGES])
def test_main_picture_and_what_the_map_moves_are_above_the_fold(page, app_url, address, selectors, size, tmp_path):
    """An instructor's shared screen: the picture (and, on the 2-d VAE, the map, the sliders it moves
    and the image they decode) were below the fold; a click on the map changed what was off-screen."""
    width, height, presenting = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}{address}" + ("&presenter=true" if presenting else ""))
    wait_idle(page)
    for selector in selectors:
        element = page.locator(selector).first
        element.wait_for(timeout=30_000)
        try:  # on a loaded machine the image can show at its full size a moment before the layout limits it
            page.wait_for_function(
                "([el, h]) => { const b = el.getBoundingClientRect(); return b.top >= 0 && b.bottom <= h; }",
                arg=[element.element_handle(), height],
                timeout=10_000,
            )
        except Exception:  # noqa: BLE001 - the assertion below says where it stayed
            pass
        box = element.bounding_box()
        page.screenshot(path=str(tmp_path / "page.png"))
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (
            f"{selector} at {box} is not inside the {width}×{height} screen (see {tmp_path / 'page.png'})"
        )
        assert box["width"] >= 100 or "slider" in selector, f"{selector} is too small to see: {box}"


def test_the_projectors_plot_starts_under_its_title_beside_the_search(page, app_url):
    """At 1280x720 the search row sat between the title and the plot, and half the plot was below the
    fold: the search is in the side column now, so the plot starts where that column does."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{app_url}/projector")
    plot = page.locator(".st-key-plot .js-plotly-plot").first
    plot.wait_for(timeout=60_000)
    wait_idle(page)
    search = page.locator(".st-key-search input").bounding_box()
    box = plot.bounding_box()
    assert box["y"] < search["y"] + search["height"], f"the plot at {box} starts below the search at {search}"
    assert box["x"] + box["width"] < search["x"], "the search is beside the plot, on its right"
    assert min(box["y"] + box["height"], 720) - box["y"] > 0.7 * box["height"], "most of the plot on screen"


def test_streamed_text_wraps_in_presenter_mode(page, app_url):
    """The streamed text sits in a code fence, which did not wrap: long lines ran off the screen."""
    page.set_viewport_size({"width": 1280, "height": 720})
    name = list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0][0].name
    page.goto(f"{app_url}/text?model={name}&presenter=true")
    wait_idle(page)
    block = page.locator(".st-key-output pre").first  # the box the page writes into, there before the click
    block.wait_for(timeout=30_000)
    assert block.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    long_line = "x" * 400
    block.evaluate("(e, text) => { (e.querySelector('code') || e).textContent = text; }", long_line)
    assert block.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "a long line stays inside the box"


def test_the_vae_blend_and_distribution_views_follow_their_controls_and_links(page, app_url):
    page.goto(f"{app_url}/vae?model={largest_vae()}&section=Blend+inputs&corners=3")
    caption = page.get_by_text("Top · Bottom left · Bottom right: the corners")
    caption.wait_for(timeout=60_000)
    settle(
        page,
        lambda: page.get_by_role("radiogroup", name="Inputs at the corners").get_by_role("radio", name="4").click(),
    )
    page.get_by_text("Top left · Top right · Bottom left · Bottom right: the corners").wait_for(timeout=30_000)
    page.wait_for_function("() => !location.search.includes('corners=')", timeout=10_000)  # the default
    page.get_by_role("button", name="Download PNG").wait_for()
    page.goto(f"{app_url}/vae?model={largest_vae()}&section=Between+distributions&dsamples=2")
    page.get_by_text("2 samples from each N(μ_t, σ_t²), seed 0").wait_for(timeout=60_000)
    seed = page.get_by_role("spinbutton", name="Seed")
    settle(page, lambda: (seed.fill("5"), seed.press("Enter")))
    page.get_by_text("2 samples from each N(μ_t, σ_t²), seed 5").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('dseed=5')", timeout=10_000)


def test_text_as_numbers_follows_the_prompt(page, app_url):
    name = list_checkpoints(("charrnn",), root=SHIPPED_CHECKPOINTS)[0][0].name
    page.goto(f"{app_url}/text?model={name}&view=Text+as+numbers&prompt=Machine")
    page.get_by_text("target  achine").wait_for(timeout=60_000)
    prompt = page.get_by_role("textbox", name="Prompt")
    settle(page, lambda: (prompt.fill("ROMEO"), prompt.press("Control+Enter")))
    page.get_by_text("target  OMEO").wait_for(timeout=30_000)
    assert page.locator("[data-testid='stDataFrame']").count() == 1


def test_the_timeline_shows_each_epochs_verdicts_on_screen_and_follows_the_epoch(page, app_url):
    """An instructor's 1280×720 screen: the epoch's discriminator line is in view under the picture,
    and moving the epoch slider (keyboard) shows the next kept epoch's verdicts (60 of the run's epochs are kept)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    epoch, following = linked_epochs()
    page.goto(f"{app_url}/gan?model=mnist-gan&section=Training+timeline&epoch={epoch}")
    line = page.get_by_text(f"Epoch {epoch}'s discriminator: these samples")
    line.wait_for(timeout=60_000)
    page.wait_for_function(  # the arrival scroll brings the tab into view
        "() => { const all = [...document.querySelectorAll('[data-testid=stCaptionContainer]')];"
        f' const line = all.find(e => e.textContent.includes("Epoch {epoch}\'s discriminator"));'
        " const box = line && line.getBoundingClientRect(); return box && box.top > 0 && box.bottom < 720; }",
        timeout=20_000,
    )
    settle(page, lambda: (page.get_by_role("slider", name="Epoch").focus(), page.keyboard.press("ArrowRight")))
    page.get_by_text(f"Epoch {following}'s discriminator: these samples").wait_for(timeout=30_000)
    page.wait_for_function(f"() => location.search.includes('epoch={following}')", timeout=10_000)
