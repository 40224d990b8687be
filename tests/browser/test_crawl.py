"""The crawl: every page and every shipped model used in Chromium as a curious new user would.

On each page it opens every tab and expander, turns every toggle on, moves every slider, picks
every radio option, presses every button (downloads included), toggles presenter mode, and
uploads a valid file of each kind the page accepts. It fails on any exception box in the page, any
error in the browser console (the `page` fixture) and any error in the server's log. Had it
existed, the μ button, the hover thumbnails and the `.bytes` upload would not have shipped broken.

After every action it also checks what a person sees (tests/support/seen.py): each live component and main
picture once, the picture inside the screen and over no control, the sliders, the page's z, the
plane's ×, the caption and the URL in agreement, and no caption describing another projection. Each
page is crawled at 1440×900 and at 1280×720 in presenter mode, an instructor's shared screen.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from urllib.parse import urlsplit

import numpy as np
import pytest

from explorer.checkpoint import SHIPPED_CHECKPOINTS, list_checkpoints
from tests.support import seen
from tests.support.browser import settle, wait_drawn, wait_idle
from tests.support.servers import server_errors

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"
# What a crawl may not press: Run starts a UMAP or t-SNE of thousands of points (the worker's own
# tests cover it; the upload crawl runs one on a few points), and links leave the page.
SKIP_BUTTONS = ("Run",)
SLIDERS = 12  # sliders of one view all moved; of more, every sixteenth
# A person's screen, and an instructor's shared one in presenter mode.
SCREENS = [(1440, 900, False), (1280, 720, True)]
SCREEN_IDS = ["1440x900", "presenter-1280x720"]


def shipped(kind: str) -> list[str]:
    return sorted(c.name for c in list_checkpoints((kind,), root=SHIPPED_CHECKPOINTS)[0])


def embeddings() -> list[str]:
    return sorted(c.name for c in list_checkpoints(root=SHIPPED_CHECKPOINTS)[0] if "embedding" in c.manifest["files"])


class Crawl:
    """One page address, used control by control; every action on an idle page, then checked."""

    def __init__(self, page, server, url: str, screen: tuple = SCREENS[0]):
        width, height, presenting = screen
        if presenting:
            url += ("&" if "?" in url else "?") + "presenter=true"
        self.page, self.server, self.url = page, server, url
        self.reloadable = True  # False once an upload is part of what the page shows
        self.tab: str | None = None  # the tab whose controls are being used, if not the first
        self.actions: list[str] = []
        self.log_start = server.log_path.stat().st_size
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        wait_drawn(page)
        self.check("open")

    def reload(self) -> None:
        """The page loaded again, on the tab the crawl was in."""
        self.page.reload()
        wait_drawn(self.page)
        self.check("reload")
        if self.tab:
            settle(self.page, self.page.get_by_role("tab", name=self.tab, exact=True).click)
            wait_drawn(self.page)

    def act(self, what: str, action) -> None:
        self.actions.append(what)
        try:
            settle(self.page, action)
        except Exception as error:  # noqa: BLE001 - say where the crawl was
            self.page.screenshot(path="/tmp/crawl-failure.png")
            raise AssertionError(f"{self.url}: {what} failed after {self.actions[-8:-1]}: {error}") from None
        self.check(what)
        if urlsplit(self.page.url).path != urlsplit(self.url).path:  # a link left the page: come back
            self.page.goto(self.url)
            wait_idle(self.page)

    def check(self, what: str) -> None:
        page = self.page
        boxes = page.locator("[data-testid='stException']")
        assert boxes.count() == 0, f"{self.url}, after {what}: {boxes.first.inner_text()[:500]}"
        errors = server_errors(self.server, self.log_start)
        assert not errors, f"{self.url}, after {what}: the server logged {errors[:5]}"
        assert not page.console_errors, f"{self.url}, after {what}: the console logged {page.console_errors[:3]}"
        wait_drawn(page)  # a live component draws after the run that sent it
        # The picture must be on the screen when the page opens and while a slider moves (a reload on a
        # tab scrolls to that tab).
        found = seen.problems(page, opened=what == "open" or what.startswith("live slider"))
        if found:
            page.screenshot(path="/tmp/crawl-failure.png")
        assert not found, f"{self.url}, after {what} (after {self.actions[-4:-1]}): {found[:4]}"

    def each(self, selector: str, limit: int = 80):
        """Visible elements matching `selector`, re-found before each use (a rerun redraws them)."""
        index = 0
        while index < min(self.page.locator(selector).count(), limit):
            element = self.page.locator(selector).nth(index)
            if element.is_visible():
                yield index, element
            index += 1

    def everything(self, scope: str = MAIN) -> None:
        """Use every control in `scope` once, then the controls of every other tab in turn (those
        outside the tabs were used in the first pass: again after each tab, they were two thirds of
        a GAN page's actions)."""
        self.controls(scope)
        for _index, tab in self.each(f"{scope} [role='tab']"):
            if tab.get_attribute("aria-selected") != "true":
                self.tab = tab.inner_text()
                self.act(f"tab {self.tab!r}", tab.click)
                self.controls(f"{scope} [role='tabpanel']")  # only the selected tab's panel is drawn
        self.tab = None

    def controls(self, scope: str) -> None:
        page = self.page
        wait_drawn(page)  # a tab's panel is drawn after its click
        for _, summary in self.each(f"{scope} [data-testid='stExpander'] summary"):
            if summary.locator("xpath=..").get_attribute("open") is None:
                self.act("open an expander", summary.click)
        for _, switch in self.each(f"{scope} [role='switch']"):
            if not switch.is_checked():
                self.act(f"toggle {switch.get_attribute('aria-label')!r}", lambda s=switch: s.click(force=True))
        # A slider is a group around a visually hidden range input (React Aria): the keyboard moves it.
        # Beyond the first SLIDERS of a view (a GAN's 64 or 128 raw z sliders), every sixteenth: the same
        # widget and code, at two seconds a move on a busy machine.
        for index, slider in self.each(f"{scope} [data-testid='stSlider'] [role='group']", limit=200):
            if index >= SLIDERS and index % 16:
                continue
            self.act(
                f"slider {slider.get_attribute('aria-label')!r}",
                lambda s=slider: (s.locator("input").first.focus(), page.keyboard.press("ArrowRight")),
            )
        # The live sliders (drawn by the page's own model, explorer/ui/live.py): the keyboard moves them too.
        for index, slider in self.each(f"{scope} .live input[type=range]", limit=200):
            if index >= SLIDERS and index % 16:
                continue
            self.act(
                f"live slider {slider.get_attribute('id')!r}",
                lambda s=slider: (s.focus(), page.keyboard.press("ArrowRight")),
            )
            if index == 0:
                self.hold_key(slider)

        # A whole number one step up (how many directions, a seed, an example): it may change what the
        # page draws (a slider more), where stale copies of the sliders had piled up.
        for _, step in self.each(f"{scope} [data-testid='stNumberInputStepUp']", limit=20):
            if step.is_enabled():
                label = step.locator("xpath=ancestor::*[@data-testid='stNumberInput']").first.inner_text()
                self.act(f"number {label.splitlines()[0]!r} up", step.click)
        for _, button in self.each(f"{scope} [data-testid='stButton'] button"):
            name = button.inner_text().strip()
            if name not in SKIP_BUTTONS and button.is_enabled():
                self.act(f"button {name!r}", button.click)
        for index, button in self.each(f"{scope} [data-testid='stDownloadButton'] button"):
            if index:  # Chromium blocks a page's second download that is not started by the click itself
                if not self.reloadable:  # (a deferred one, which waits for the server): each from a fresh
                    break  # page, unless a reload would lose an upload
                self.reload()
                button = page.locator(f"{scope} [data-testid='stDownloadButton'] button").nth(index)

            def download(b=button):
                with page.expect_download(timeout=30_000) as download:
                    b.click()
                assert download.value.path().stat().st_size > 0

            self.act(f"download {button.inner_text()!r}", download)
        # Last: a radio option can hide what the controls above it showed (an interpolation's end).
        for _, option in self.each(f"{scope} [role='radiogroup'] label"):
            if not option.locator("input").is_checked():
                self.act(f"radio {option.inner_text()!r}", option.click)
        for _, button in self.each(f"{scope} [data-testid='stButtonGroup'] button"):
            self.act(f"segment {button.inner_text()!r}", button.click)

    def hold_key(self, slider, presses: int = 8) -> None:
        """A held arrow key (auto-repeat, about 30 a second) moves the slider every step: reruns that
        answered earlier steps had put older values back (−1.4 after ten steps from −2, not −1.0)."""
        step, low, high = (float(slider.get_attribute(a)) for a in ("step", "min", "max"))
        start = float(slider.input_value())
        if start + presses * step > high:
            settle(self.page, lambda: (slider.focus(), self.page.keyboard.press("Home")))
            start = low

        def hold():
            slider.focus()
            for _ in range(presses):
                self.page.keyboard.press("ArrowRight")
                self.page.wait_for_timeout(33)

        self.act(f"live slider {slider.get_attribute('id')!r} held for {presses} steps", hold)
        self.page.wait_for_timeout(1_000)  # the last reruns' answers
        wait_drawn(self.page)
        moved = round((float(slider.input_value()) - start) / step)
        assert moved == presses, f"{self.url}: a held key moved {slider.get_attribute('id')} {moved} steps of {presses}"
        self.check("the held key's last answers")

    def presenter(self) -> None:
        """Presenter mode switched (the page drawn again at its size, its buttons pressed), then back."""
        switch = self.page.get_by_role("switch", name="Presenter mode")
        was_on = "presenter=true" in self.page.url
        self.act("presenter mode " + ("off" if was_on else "on"), lambda: switch.click(force=True))
        assert ("presenter=true" in self.page.url) != was_on
        for _, button in self.each(f"{MAIN} [data-testid='stButton'] button"):
            if button.inner_text().strip() not in SKIP_BUTTONS and button.is_enabled():
                self.act(f"presenting: button {button.inner_text().strip()!r}", button.click)
        self.act(
            "presenter mode back", lambda: self.page.get_by_role("switch", name="Presenter mode").click(force=True)
        )

    def switch_models(self, label: str = "Model") -> None:
        """Every other model of the sidebar's picker in turn, then the first again: each one's view
        replaces the last (the old sliders and picture had stayed above the new ones)."""
        picker = self.page.locator(f"{SIDEBAR} [data-testid='stSelectbox']").filter(has_text=label).first
        picker.click()
        names = self.page.get_by_role("option").all_inner_texts()
        self.page.keyboard.press("Escape")
        for name in [*names[1:], names[0]]:
            self.act(
                f"model {name!r}",
                lambda n=name: (picker.click(), self.page.get_by_role("option", name=n, exact=True).click()),
            )

    def upload(self, paths, expect: str) -> None:
        """Upload `paths` through the page's (first) file uploader and wait for `expect` on the page."""
        self.reloadable = False
        field = self.page.locator("[data-testid='stFileUploaderDropzoneInput']").first
        self.act(f"upload {[p.name for p in paths]}", lambda: field.set_input_files([str(p) for p in paths]))
        self.page.get_by_text(expect).first.wait_for(timeout=60_000)
        self.check(f"upload {[p.name for p in paths]}")


@pytest.fixture(scope="module")
def crawl(app_server):
    def start(page, path: str, screen: tuple = SCREENS[0]) -> Crawl:
        return Crawl(page, app_server, app_server.url + path, screen)

    return start


def test_home_page(page, crawl):
    visit = crawl(page, "/")
    visit.everything()
    visit.presenter()


@pytest.mark.parametrize("screen", SCREENS, ids=SCREEN_IDS)
@pytest.mark.parametrize("name", shipped("vae"))
def test_vae_page(page, crawl, name, screen):
    visit = crawl(page, f"/vae?model={name}", screen)
    visit.everything()
    visit.presenter()
    visit.switch_models()
    kinds = {action.split()[0] for action in visit.actions}
    assert {"tab", "live", "radio", "button", "download"} <= kinds, kinds  # the crawl finds them (live: z sliders)


def image_files(folder) -> list:
    """A small digit in every format the VAE page accepts."""
    from PIL import Image

    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255  # a "1"
    image = Image.fromarray(digit)
    paths = []
    for suffix, convert in [
        ("png", "L"),
        ("jpg", "RGB"),
        ("jpeg", "RGB"),
        ("gif", "P"),
        ("bmp", "RGB"),
        ("webp", "RGB"),
        ("tif", "L"),
        ("tiff", "RGBA"),
    ]:
        path = folder / f"digit.{suffix}"
        image.convert(convert).save(path)
        paths.append(path)
    return paths


def test_vae_uploads_of_every_image_kind(page, crawl, tmp_path):
    visit = crawl(page, "/vae?model=mnist-vae-16d&section=Start+from+an+example&example_source=Upload+your+own")
    for path in image_files(tmp_path):
        visit.upload([path], "what the model saw")
        visit.act("reset to zero", page.get_by_role("button", name="Reset to zero").click)
        visit.act("move the sliders to μ", page.get_by_role("button", name="Move the sliders to μ").click)


@pytest.mark.parametrize("screen", SCREENS, ids=SCREEN_IDS)
@pytest.mark.parametrize("name", shipped("gan"))
def test_gan_page(page, crawl, name, screen):
    visit = crawl(page, f"/gan?model={name}", screen)
    visit.everything()
    visit.presenter()
    visit.switch_models()
    kinds = {action.split()[0] for action in visit.actions}
    assert {"tab", "live", "toggle", "slider", "radio", "button", "download"} <= kinds, kinds
    tabs = [action for action in visit.actions if action.startswith("tab ")]
    assert len(tabs) == 4, tabs  # Directions is open; Interpolate, Training timeline, Discriminator, Nearest


@pytest.mark.parametrize("screen", SCREENS, ids=SCREEN_IDS)
@pytest.mark.parametrize("name", embeddings())
def test_projector_page(page, crawl, name, screen):
    visit = crawl(page, f"/projector?data={name}", screen)
    visit.everything(MAIN)
    visit.controls(SIDEBAR)


def projector_files(folder) -> dict:
    """A small embedding in each form projector.tensorflow.org reads, by what to upload together."""
    from PIL import Image

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((24, 6)).astype("<f4")
    (folder / "vectors.tsv").write_text("".join("\t".join(f"{v:.4f}" for v in row) + "\n" for row in vectors))
    (folder / "metadata.tsv").write_text("label\tgroup\n" + "".join(f"p{i}\t{'ab'[i % 2]}\n" for i in range(24)))
    (folder / "vectors.txt").write_text((folder / "vectors.tsv").read_text())
    (folder / "demo_tensors.bytes").write_bytes(vectors.tobytes())
    sprite = (rng.random((5 * 8, 5 * 8, 3)) * 255).astype(np.uint8)
    Image.fromarray(sprite).save(folder / "sprite.png")
    Image.fromarray(sprite).save(folder / "sprite.jpg")
    (folder / "projector_config.json").write_text(
        json.dumps(
            {
                "embeddings": [
                    {
                        "tensorName": "demo",
                        "tensorShape": [24, 6],
                        "tensorPath": "demo_tensors.bytes",
                        "metadataPath": "metadata.tsv",
                        "sprite": {"imagePath": "sprite.png", "singleImageDim": [8, 8]},
                    }
                ]
            }
        )
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in ("projector_config.json", "demo_tensors.bytes", "metadata.tsv", "sprite.png"):
            bundle.write(folder / name, name)
    (folder / "export.zip").write_bytes(archive.getvalue())
    return {
        "tsv": ["vectors.tsv", "metadata.tsv"],
        "txt": ["vectors.txt"],
        "bytes, json, png": ["projector_config.json", "demo_tensors.bytes", "metadata.tsv", "sprite.png"],
        "jpg": ["vectors.tsv", "sprite.jpg"],
        "zip": ["export.zip"],
    }


@pytest.mark.parametrize("kind", ["tsv", "txt", "bytes, json, png", "jpg", "zip"])
def test_projector_uploads_of_every_kind(page, crawl, tmp_path, kind):
    files = projector_files(tmp_path)[kind]
    visit = crawl(page, "/projector?data=Upload+Projector+files")
    visit.upload([tmp_path / name for name in files], "24 points")
    if kind == "zip":  # a whole crawl once, and UMAP and t-SNE run on a data set small enough for them
        visit.everything(MAIN)
        visit.controls(SIDEBAR)
        for method in ("UMAP", "t-SNE"):
            visit.act(f"projection {method}", page.get_by_role("radio", name=method).click)
            run = page.get_by_role("button", name="Run")
            if run.count():  # the parameters differ from the picture's: Run fits them (in the worker)
                visit.act(f"Run {method}", run.click)
            page.get_by_text("computed in").first.wait_for(timeout=120_000)


@pytest.mark.parametrize("screen", SCREENS, ids=SCREEN_IDS)
def test_text_page(page, crawl, screen):
    for name in shipped("charrnn"):
        visit = crawl(page, f"/text?model={name}&length=100", screen)
        started = time.monotonic()
        visit.act("Generate", page.get_by_role("button", name="Generate").click)
        page.get_by_text(re.compile(r"^100 characters")).wait_for(timeout=30_000)  # the caption, not the views
        visit.everything()
        visit.presenter()
        assert time.monotonic() - started < 180
