"""What each load-test session does, and how each step is timed and checked: the actions (open a
page, move a slider or generate text), what output each must produce, and the phase's tally."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from tools.streamlit_client import TEXT_FENCE, Run, StreamlitSession

TEXT_LENGTH = 200  # characters per generation


# The actions and what they produce --------------------------------------------------------------


def images_drawn(run: Run) -> str | None:
    """A digest of every image the run drew (each travels inline as a PNG data URI)."""
    urls = [
        image.url
        for _, element in sorted(run.drawn.items())
        if element.WhichOneof("type") == "imgs"
        for image in element.imgs.imgs
    ]
    return _digest("\n".join(urls)) if urls else None


def plot_drawn(run: Run) -> str | None:
    specs = [
        element.plotly_chart.spec
        for _, element in sorted(run.drawn.items())
        if element.WhichOneof("type") == "plotly_chart"
    ]
    return _digest("\n".join(specs)) if specs else None


def text_generated(run: Run) -> str | None:
    """The generated text as the page finally shows it (the last update of the streamed block)."""
    for _, element in sorted(run.drawn.items()):
        if element.WhichOneof("type") == "markdown" and element.markdown.body.startswith(TEXT_FENCE):
            return element.markdown.body[len(TEXT_FENCE) :].removesuffix("\n```")
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Action:
    """One thing a person does on a page; its output must depend only on `value`."""

    name: str
    page: str  # URL path
    query: str  # the page's URL query when it is opened
    inputs: tuple  # the values sessions cycle through
    perform: Callable[[StreamlitSession, object], Awaitable[Run]]
    output: Callable[[Run], str | None]  # what must match the single session's


def _slider(key: str):
    return lambda session, value: session.set_widgets({key: ("double_array_value", [value])})


def _release(component: str, slider: str, others: dict):
    """What a browser sends when a live slider is let go (explorer/ui/live.py): every slider's value
    in the component's state, once; the picture itself was drawn in the browser during the drag."""
    return lambda session, value: session.set_widgets(
        {component: ("json_value", json.dumps({"position": {**others, slider: value}}))}
    )


async def _generate(session: StreamlitSession, seed: int) -> Run:
    return await session.set_widgets(
        {
            "length": ("double_array_value", [TEXT_LENGTH]),
            "text_seed": ("double_value", seed),
            "generate": ("trigger_value", True),
        }
    )


SERVER = "runtime=server"

ACTIONS = (
    # Pages open with their defaults, as from the navigation: mnist-vae-2d with its latent plane, mnist-gan.
    # The server path (runtime=server): what the room costs when no browser can run the models itself,
    # every move and every character computed here; in the browser a move costs nothing until release.
    Action("/vae: move latent slider z1", "vae", SERVER, (0.5, 1.0, 1.5, -0.5, -1.0), _slider("z1"), images_drawn),
    Action("/gan: move direction slider 1", "gan", SERVER, (0.5, 1.0, 1.5, -0.5, -1.0), _slider("d1"), images_drawn),
    Action(
        "/projector: y axis to PC 3/4/5",
        "projector",
        "",
        (3, 4, 5),
        lambda session, component: session.set_widgets({"pc_y": ("string_value", str(component))}),
        plot_drawn,
    ),
    Action(f"/text: generate {TEXT_LENGTH} characters", "text", SERVER, (1, 2, 3), _generate, text_generated),
    # In the browser: a drag costs the server nothing until the release, which syncs the values once
    # (the URL, the traversal, the other seeds follow it).
    Action(
        "/vae in the browser: release slider z1",
        "vae",
        "",
        (0.5, 1.0, 1.5, -0.5, -1.0),
        _release("live_vae", "z1", {"z2": 0.0}),
        images_drawn,
    ),
    Action(
        "/gan in the browser: release direction 1",
        "gan",
        "",
        (0.5, 1.0, 1.5, -0.5, -1.0),
        _release("live_gan", "d1", {"psi": 1.0, **{f"d{i}": 0.0 for i in range(2, 7)}}),
        images_drawn,
    ),
)


# Tallies ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies, errors and output checks of one phase."""

    seconds: dict = field(default_factory=dict)  # row -> [latency s], sessions running freely
    in_step_seconds: dict = field(default_factory=dict)  # row -> [latency s], the first round, all at once
    errors: Counter = field(default_factory=Counter)  # kind -> count
    examples: list = field(default_factory=list)  # the first three error sentences of each kind
    compared: int = 0
    differ: int = 0
    in_flight: Counter = field(default_factory=Counter)  # action -> sessions inside it now
    max_in_flight: Counter = field(default_factory=Counter)  # action -> most sessions inside it at once

    def error(self, kind: str, sentence: str) -> None:
        self.errors[kind] += 1
        if self.errors[kind] <= 3:
            self.examples.append(f"{kind}: {sentence}"[:300])

    def check(self, run: Run, row: str) -> None:
        for kind, sentence in run.problems:
            self.error(kind, f"{row}: {sentence}")

    def enter(self, action: str) -> None:
        self.in_flight[action] += 1
        self.max_in_flight[action] = max(self.max_in_flight[action], self.in_flight[action])

    def leave(self, action: str) -> None:
        self.in_flight[action] -= 1


def open_row(action: Action) -> str:
    return f"open /{action.page}"


async def open_page(session: StreamlitSession, action: Action, tally: Tally, times: dict | None) -> None:
    """Open the action's page; its latency goes into `times` (None: not timed)."""
    run = await session.open(action.page, action.query)
    tally.check(run, open_row(action))
    if times is not None:
        times.setdefault(open_row(action), []).append(run.seconds)


async def perform(
    session: StreamlitSession, action: Action, value, tally: Tally, expected: dict, times: dict | None
) -> None:
    """The action with this input: its latency, its problems, and its output against `expected`
    (the first output seen for an input becomes the expected one)."""
    tally.enter(action.name)
    try:
        run = await action.perform(session, value)
    finally:
        tally.leave(action.name)
    tally.check(run, action.name)
    if times is not None:
        times.setdefault(action.name, []).append(run.seconds)
        if run.first_text_seconds is not None:
            times.setdefault(f"{action.name}: first characters", []).append(run.first_text_seconds)
    output = action.output(run)
    if output is None:
        tally.error("missing output", f"{action.name} with {value}: nothing drawn")
        return
    tally.compared += 1
    if expected.setdefault((action.name, value), output) != output:
        tally.differ += 1
        tally.error(
            "wrong output", f"{action.name} with {value}: {output!r} instead of {expected[(action.name, value)]!r}"
        )
