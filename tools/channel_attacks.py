"""Hostile values through the live components' channel, sent as a raw client would send them.

A browser's widget and component states are input like uploads. Each attack opens a page over
Streamlit's own WebSocket protocol (the load test's `StreamlitSession`), sends one message a real
page never sends, then reruns the page as an ordinary visitor would. `run_attack` reports what the
page said, whether the session still works, and what the server paid: CPU seconds and the peak of
its resident memory. Tooling: tests and the load test's `--attacker` use it, the app never does.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tools.processes import MemorySampler, cpu_seconds
from tools.streamlit_client import Run, StreamlitSession, run_coroutine

JUNK_LISTS = 1_300_000  # "[]," each: 3.9 MB of state, just under the server's 4 MB (config.toml)


@dataclass(frozen=True)
class ChannelAttack:
    name: str
    page: str  # URL path
    query: str
    send: Callable[[StreamlitSession], Awaitable[Run | None]]  # the hostile message(s)
    says: str | None  # what the page then shows (None: nothing a visitor could see)


def _state(component: str, value: dict | str):
    """Set a live component's state as the page's JavaScript would, to `value` (or raw text)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return lambda session: session.set_widgets({component: ("json_value", text)})


def _long_result(steps: int):
    """The Text page's `result` with `steps` characters, after a click on Generate made a 400-character job."""

    async def send(session: StreamlitSession) -> Run:
        await session.set_widgets({"generate": ("trigger_value", True)})
        pieces = [
            '{"result": {"run": 1, "seconds": 1.0, "ids": [',
            ",".join(["1"] * steps),
            '], "probabilities": [',
            ",".join(["0.5"] * steps),
            '], "topIds": [',
            ",".join(["[1,2]"] * steps),
            '], "topProbabilities": [',
            ",".join(["[0.5,0.3]"] * steps),
            "]}}",
        ]
        return await session.set_widgets({"live_text": ("json_value", "".join(pieces))})

    return send


def _junk(component: str):
    junk = '{"position": {}, "junk": [' + ",".join(["[]"] * JUNK_LISTS) + "]}"
    return _state(component, junk)


ATTACKS = (
    ChannelAttack(  # 200,000 lists: the gate drops it unread (explorer.ui.gate.py)
        "/text: a result of 100,000 characters for a job of 400", "text", "", _long_result(100_000), None
    ),
    ChannelAttack(
        "/text: a result of 1,000 characters for a job of 400",
        "text",
        "",
        _long_result(1_000),
        "The text your browser sent back could not be used",
    ),
    ChannelAttack(
        "/text: a result of 1,000,000 characters (12 MB)", "text", "", _long_result(1_000_000), None
    ),  # over the limit: the server closes that connection
    ChannelAttack(
        "/vae: a slider position of NaN",
        "vae",
        "model=mnist-vae-16d",
        _state("live_vae", {"position": {"z1": math.nan, "z2": 1.0}}),
        None,  # not JSON as a browser writes it: the gate drops it
    ),
    ChannelAttack(
        "/vae: positions of null, text, a list and an object",
        "vae",
        "model=mnist-vae-16d",
        _state("live_vae", {"position": {"z1": None, "z2": "1.5", "z3": [1], "z4": {"a": 1}}}),
        "they were ignored",
    ),
    ChannelAttack(
        "/vae: a state that is not JSON", "vae", "model=mnist-vae-16d", _state("live_vae", "{not json"), None
    ),
    ChannelAttack(
        f"/vae: an unknown state key holding {JUNK_LISTS:,} empty lists",
        "vae",
        "model=mnist-vae-16d",
        _junk("live_vae"),
        None,
    ),
    ChannelAttack(
        "/gan: NaN directions shown",
        "gan",
        "",
        lambda session: session.set_widgets({"directions_shown": ("double_value", math.nan)}),
        None,
    ),
)


async def _attack(url: str, attack: ChannelAttack) -> dict:
    session = await StreamlitSession.connect(url)
    try:
        await session.open(attack.page, attack.query)
        try:
            hostile = await attack.send(session)
        except Exception as error:  # noqa: BLE001 - the server may close the connection: that is an answer
            hostile, closed = None, f"{type(error).__name__}"
        else:
            closed = None
        said = _texts(hostile) if hostile else []
        if closed:  # a visitor whose connection closed opens the page again
            await session.close()
            session = await StreamlitSession.connect(url)
        after = await session.open(attack.page, attack.query)
        return {
            "said": said,
            "closed": closed,
            "problems": [*(hostile.problems if hostile else []), *after.problems],
            "works_after": bool(after.drawn) and not after.problems,
        }
    finally:
        await session.close()


def _texts(run: Run) -> list[str]:
    """Every sentence the run showed: alerts, captions, markdown."""
    out = []
    for element in run.drawn.values():
        kind = element.WhichOneof("type")
        if kind == "alert":
            out.append(element.alert.body)
        elif kind == "markdown":
            out.append(element.markdown.body)
    return out


def run_attack(url: str, server_pid: int, attack: ChannelAttack, settle: float = 2.0) -> dict:
    """One attack against a running server: what was said, and the server's CPU and peak memory."""
    sampler = MemorySampler(server_pid, interval=0.05)
    time.sleep(0.2)
    baseline = sampler.samples[-1][1]
    cpu = cpu_seconds(server_pid)
    try:
        result = run_coroutine(_attack(url, attack))
        time.sleep(settle)
    finally:
        sampler.stop()
    return {
        **result,
        "name": attack.name,
        "cpu_s": cpu_seconds(server_pid) - cpu,
        "baseline_mb": baseline,
        "peak_mb": max(mb for _, mb in sampler.samples),
        "end_mb": sampler.samples[-1][1],
    }


def run_all(url: str, server_pid: int) -> list[dict]:
    return [run_attack(url, server_pid, attack) for attack in ATTACKS]


async def hold_open(url: str, attack: ChannelAttack, seconds: float) -> None:
    """Attack, then keep the session open `seconds` (memory measured while it lives and after it closes)."""
    session = await StreamlitSession.connect(url)
    try:
        await session.open(attack.page, attack.query)
        await attack.send(session)
        await asyncio.sleep(seconds)
    finally:
        await session.close()


class ChannelAttacker:
    """Every channel attack, in turn, again and again until stopped, a second apart as a visitor's
    clicks are (the load test's sessions think for one): the load test's `--attacker` runs it beside
    the hostile uploads, to see whether what each attack costs reaches the other visitors."""

    PAUSE_SECONDS = 1.0

    def __init__(self, url: str):
        import threading

        self.url = url
        self.sent = 0
        self.broken: list[str] = []  # attacks after which the session no longer worked
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="channel-attacker")

    def start(self) -> ChannelAttacker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(180)

    def _run(self) -> None:
        async def loop() -> None:
            while not self._stop.is_set():
                for attack in ATTACKS:
                    if self._stop.is_set():
                        return
                    try:
                        result = await _attack(self.url, attack)
                    except (OSError, TimeoutError, LookupError) as error:  # a timeout under load: the next one
                        self.broken.append(f"{attack.name}: {type(error).__name__}")
                        continue
                    self.sent += 1
                    await asyncio.sleep(self.PAUSE_SECONDS)
                    if not result["works_after"]:
                        self.broken.append(f"{attack.name}: {result['problems'][:1]}")

        asyncio.run(loop())
