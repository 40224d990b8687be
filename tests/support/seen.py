"""What a person sees on a page, read from the browser, and the sentences for what is wrong with it.

The crawl (tests/browser/test_crawl.py) checks these after every action: each live component and each main
picture once, the picture on the screen and over no control, the page's z, sliders, captions, the
plane's × and the URL telling one story, and no caption describing a projection the page does not show.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

# Read in the page: the live components (in their shadow roots), their pictures and controls, the
# keyed main pictures Streamlit draws, every other control, and the Projector's caption and sidebar.
_READ = """() => {
    const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const components = [];
    for (const host of document.querySelectorAll('[class*="st-key-live_"]')) {
        const key = [...host.classList].find((c) => c.startsWith('st-key-'));
        const roots = [...host.querySelectorAll('*')].filter((el) => el.shadowRoot).map((el) => el.shadowRoot);
        const blocks = roots.flatMap((root) => [...root.children].filter((c) => c.classList.contains('live')));
        const text = blocks.length > 0 && blocks[0].classList.contains('live-text');  // writes, draws no picture
        const block = blocks[0];
        const inputs = block ? [...block.querySelectorAll('input[type=range]')] : [];
        components.push({
            key,
            blocks: blocks.length,
            state: block ? block.dataset.state : null,
            pictures: block && !text ? block.querySelectorAll('canvas[role=img]').length : null,
            picture: block && block.querySelector('canvas') ? box(block.querySelector('canvas')) : null,
            controls: block ? [...block.querySelectorAll('input, output, button')].filter(shown).map(box) : [],
            sliders: inputs.map((i) => ({ id: i.dataset.id, value: Number(i.value), fallback: Number(i.dataset.default) })),
            zLine: block && block.querySelector('figcaption.z:not([hidden])')?.textContent || null,
            caption: block && block.querySelector('figcaption:not(.z):not(.verdict)')?.textContent || null,
        });
    }
    const keyed = [...document.querySelectorAll('[class*="st-key-on_screen_"]')]
        .map((el) => [...el.classList].find((c) => c.startsWith('st-key-on_screen_')));
    const controls = [...document.querySelectorAll(
        '[data-testid=stMain] :is([data-testid=stButton], [data-testid=stSlider], [data-testid=stNumberInput], '
        + '[data-testid=stCheckbox], [data-testid=stSelectbox], [data-testid=stTextInput], [data-testid=stRadio])'
    )].filter(shown).map(box);
    const mark = document.querySelector('.live-plane-mark');
    const plane = document.querySelector('.st-key-latent_map .js-plotly-plot');
    const projection = document.querySelector('[data-testid=stSidebar] [data-testid=stButtonGroup] [aria-checked=true], '
        + '[data-testid=stSidebar] [data-testid=stButtonGroup] [kind*=Active]');
    const metric = document.querySelector('[data-testid=stSidebar] .st-key-metric input:checked');
    const captions = [...document.querySelectorAll('.st-key-plot_shown ~ * [data-testid=stCaptionContainer], '
        + '[data-testid=stMain] [data-testid=stCaptionContainer]')].map((c) => c.innerText);
    return {
        viewport: [innerWidth, innerHeight],
        components, keyed, controls,
        // The sliders' × on the plane: drawn by the page, or a trace of the chart (the server's sliders)
        mark: mark ? JSON.parse(mark.dataset.z)
            : (plane && plane.data.find((t) => t.name === 'sliders')
                ? [0, 1].map((i) => plane.data.find((t) => t.name === 'sliders')[['x', 'y'][i]][0]) : null),
        method: projection ? projection.innerText.trim() : null,
        metric: metric ? metric.closest('label').innerText.trim() : null,
        captions,
    };
}"""


def _overlap(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0) * max(height, 0)


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


def problems(page, opened: bool = False) -> list[str]:
    """Sentences for what is wrong with what the page shows now; `opened`: the page was just opened
    (or reloaded), so its main picture must also be inside the screen from top to bottom."""
    seen = page.evaluate(_READ)
    query = {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}
    width, height = seen["viewport"]
    found = []
    keys = [c["key"] for c in seen["components"]]
    for key in set(keys):
        if keys.count(key) > 1:
            found.append(f"the live component {key} is on the page {keys.count(key)} times")
    for key in set(seen["keyed"]):
        if seen["keyed"].count(key) > 1:
            found.append(f"the picture {key} is on the page {seen['keyed'].count(key)} times")
    for component in seen["components"]:
        key = component["key"]
        if component["blocks"] != 1:
            found.append(f"{key} holds {component['blocks']} blocks of sliders and picture, not one")
        if component["blocks"] and component["pictures"] not in (None, 1):
            found.append(f"{key} shows {component['pictures']} pictures, not one")
        picture = component["picture"]
        if picture and picture[2] > picture[0]:
            if picture[0] < -1 or picture[2] > width + 1 or (opened and (picture[1] < -1 or picture[3] > height + 1)):
                found.append(
                    f"{key}'s picture at {[round(v) for v in picture]} is not inside the {width}×{height} screen"
                )
            for control in component["controls"] + seen["controls"]:
                if _overlap(picture, control) > 4:
                    found.append(
                        f"{key}'s picture at {[round(v) for v in picture]} covers a control at {[round(v) for v in control]}"
                    )
                    break
        found += _disagreements(component, query, seen["mark"])
    found += _projector_caption(seen)
    return found


def _disagreements(component: dict, query: dict, mark) -> list[str]:
    """The sliders against the URL, the z line and the plane's × against the sliders, the seed caption
    against the URL."""
    if component["state"] != "live" or not component["sliders"]:
        return []
    found = []
    key = component["key"]
    sliders = {s["id"]: s["value"] for s in component["sliders"]}
    for slider in component["sliders"]:
        linked = query.get(slider["id"])
        expected = float(linked) if linked is not None else slider["fallback"]
        if abs(expected - slider["value"]) > 0.006:
            found.append(f"{key}: slider {slider['id']} shows {slider['value']:g}, the URL says {expected:g}")
    z_ids = [i for i in sliders if re.fullmatch(r"z\d+", i)]
    if component["zLine"] and component["zLine"].startswith("z = ") and z_ids:
        said = _numbers(component["zLine"])
        values = [sliders[f"z{d + 1}"] for d in range(len(z_ids))]
        if len(said) != len(values) or any(abs(a - b) > 0.051 for a, b in zip(said, values)):
            found.append(f"{key}: the page says {component['zLine']!r}, the sliders are at {values}")
        if mark is not None and len(values) == 2 and any(abs(a - b) > 0.011 for a, b in zip(mark, values)):
            found.append(f"{key}: the plane's × is at {mark}, the sliders at {values}")
    if component["caption"] and component["caption"].startswith("seed "):
        seed = query.get("seed", "0")
        if component["caption"] != f"seed {seed}" and seed.isdigit():
            found.append(f"{key}: the picture's caption says {component['caption']!r}, the URL seed={seed}")
    return found


def _projector_caption(seen: dict) -> list[str]:
    """A Projector caption naming a projection must be the sidebar's, or say that it is not."""
    method = seen["method"]
    if not method:
        return []
    found = []
    for caption in seen["captions"]:
        named = re.match(r"(PCA|UMAP|t-SNE|Custom axes)[: ]", caption)
        if not named:
            continue
        honest = "not the sidebar's settings" in caption or "greyed until" in caption
        differs = not caption.startswith("Custom" if method == "Custom" else method)
        if seen["metric"] and method in ("UMAP", "t-SNE") and f", {seen['metric']}," not in caption:
            differs = True
        if differs and not honest:
            found.append(f"the caption {caption[:90]!r} describes a projection, but the sidebar asks for {method}")
    return found
