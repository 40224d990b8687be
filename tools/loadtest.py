"""Load test: many sessions at once through every page, against one session alone.

    python -m tools loadtest --sessions 30 --seconds 120             # starts its own local server
    python -m tools loadtest --url http://127.0.0.1:8501 --server-pid 4242
    python -m tools loadtest --app-dir /tmp/snapshot --json load.json   # serve another checkout
    python -m tools loadtest --processes 3          # three app processes behind nginx (tools/balancer.py)

Every session is a client of Streamlit's own WebSocket protocol (`/_stcore/stream`): it sends the
BackMsgs a browser sends (rerun the script with these widget values, on this page) and reads the
ForwardMsgs that come back, keeping the browser's cache of large messages. Thirty of them are light
enough to run beside the server on two cores, so the times measured are the server's.

Each session loops until the time is up: open /vae and move a latent slider; open /gan and move a
direction slider; open /projector and put another principal component on the y axis; open /text
and generate 200 characters with a seed. It pauses between steps as a person would (`--think`).

1. A single session first runs every action with every input it will be given (one pass to load
   the models, then `--baseline-rounds` timed passes): the latency baseline and the expected outputs.
2. Then N sessions run for the bounded time. Their first round is in step (all sessions perform
   each action at the same moment), so the shared interpreters certainly serve many sessions at
   once; afterwards they drift apart.
3. Every output made under load (the images' bytes, the plot, the generated text) must equal what
   the single session got for the same input: a LiteRT interpreter shared without its lock would
   mix sessions' inputs and fail this.
4. The server's resident memory (with any child processes) is sampled throughout; after warm-up
   (every session has been through every page once) it must not grow: the mean of the last third
   of the samples may exceed that of the first third by at most MEMORY_GROWTH_LIMIT_MB.

Latency of an action: from sending the BackMsg to the server's `script_finished`, which comes after
every element of the run, so the new image (inline, as a data URI), plot or text has arrived. For
the Text page the time to the first generated characters is reported too.

Streamlit options reach the server started here through the environment, e.g.
`STREAMLIT_RUNNER_POST_SCRIPT_GC=false python -m tools loadtest`.
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
from collections import Counter
from pathlib import Path

from websockets.exceptions import WebSocketException

from tools.load_actions import ACTIONS, Tally, open_page, perform
from tools.local_server import ROOT, free_port, log_errors, start_streamlit
from tools.processes import CpuMeter, MemorySampler
from tools.streamlit_client import ACTION_TIMEOUT, StreamlitSession, run_coroutine
from tools.timing import summarize

SESSIONS = 30
SECONDS = 120.0
THINK_SECONDS = 1.0  # mean pause after each page update (uniform over 0.5-1.5x): a person looking
BASELINE_ROUNDS = 5  # timed single-session passes over every action and input
MEMORY_INTERVAL = 0.5  # s between samples of the server's resident memory
MEMORY_GROWTH_LIMIT_MB = 50  # more growth than this between warm-up and the end counts as unbounded


# Phases ----------------------------------------------------------------------------------------


async def run_baseline(url: str, rounds: int, tally: Tally, expected: dict) -> None:
    """One session alone: every action with every input, `rounds` times after an untimed first pass
    (which loads the models and fills the caches); it also sets the expected outputs."""
    session = await StreamlitSession.connect(url)
    try:
        for round_index in range(rounds + 1):
            times = tally.seconds if round_index > 0 else None
            for action in ACTIONS:
                await open_page(session, action, tally, times)
                for value in action.inputs:
                    await perform(session, action, value, tally, expected, times)
    finally:
        await session.close()


async def run_sessions(
    url: str, sessions: int, seconds: float, think: float, tally: Tally, expected: dict
) -> float | None:
    """`sessions` sessions looping over the actions until `seconds` have passed; the first round in step.

    Returns when warm-up ended, in seconds from the start: every session had been through every action.
    """
    started = time.monotonic()
    deadline = started + seconds
    in_step = asyncio.Barrier(sessions)
    rounds_done = Counter()
    warm = []

    async def together() -> None:
        """Wait until every session is ready for this action, so that they all perform it at once."""
        try:
            async with asyncio.timeout(ACTION_TIMEOUT):
                await in_step.wait()
        except (TimeoutError, asyncio.BrokenBarrierError):
            await in_step.abort()  # a session fell out: the others go on without waiting

    async def one_session(index: int) -> None:
        rng = random.Random(index)

        async def pause() -> None:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))

        session = None
        round_index = 0
        while time.monotonic() < deadline:
            times = tally.in_step_seconds if round_index == 0 else tally.seconds
            for action in ACTIONS:
                if time.monotonic() >= deadline:
                    break
                value = action.inputs[(index + round_index) % len(action.inputs)]  # sessions differ at any moment
                try:
                    session = session or await StreamlitSession.connect(url)
                    await open_page(session, action, tally, times)
                    await (together() if round_index == 0 else pause())
                    await perform(session, action, value, tally, expected, times)
                    await pause()
                except (TimeoutError, LookupError, OSError, WebSocketException) as error:
                    kind = (
                        "timeout"
                        if isinstance(error, TimeoutError)
                        else "missing widget"
                        if isinstance(error, LookupError)
                        else "disconnect"
                    )
                    tally.error(kind, f"session {index}, {action.name}: {error or type(error).__name__}")
                    if round_index == 0:
                        await in_step.abort()
                    if session:
                        await session.close()
                    session = None  # the next step connects afresh, as a person reloads the page
                    await asyncio.sleep(1.0)
            round_index += 1
            rounds_done[index] = round_index
            if not warm and len(rounds_done) == sessions:
                warm.append(time.monotonic() - started)
        if session:
            await session.close()

    await asyncio.gather(*(one_session(index) for index in range(sessions)))
    return warm[0] if warm else None


class LocalServer:
    """`streamlit run` of the app on a free port; its log (plain text, tracebacks included) goes to a file."""

    def __init__(self, app_dir: Path):
        self.port = free_port()
        self.process: subprocess.Popen = start_streamlit("streamlit_app.py", self.port, cwd=app_dir)
        self.url = f"http://127.0.0.1:{self.port}"

    @property
    def pids(self) -> list[int]:
        return [self.process.pid]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def error_lines(self) -> list[str]:
        return log_errors(self.process)


# The whole test --------------------------------------------------------------------------------


ATTACK_P95_LIMIT = 1.5  # the others' p95 beside an attacker, against the run without
ATTACK_MEMORY_LIMIT_MB = 600  # the server's resident memory (with its worker) while attacked


def run_load_test(
    sessions: int = SESSIONS,
    seconds: float = SECONDS,
    think: float = THINK_SECONDS,
    baseline_rounds: int = BASELINE_ROUNDS,
    url: str | None = None,
    server_pid: int | None = None,
    app_dir: Path | str = ROOT,
    attacker: str | None = None,
    attack_seconds: float | None = None,
    processes: int | None = None,
) -> dict:
    """Baseline, then load: every figure of the report, as a dict (`print_report` shows it).

    With `attacker` ("uploads", "states" or "both"), the load runs a second time (for `attack_seconds`,
    by default `seconds`) beside one visitor who uploads every hostile file of `tools.attacks` again
    and again, one client sending the hostile states of `tools.channel_attacks`, or both: the report
    compares the other sessions' p95 in the two runs. With `processes`, the app runs in that many
    processes behind nginx, and the report says whether every session stayed on one of them.
    """
    from tools.balancer import Balancer

    server = None if url else Balancer(processes, Path(app_dir)) if processes else LocalServer(Path(app_dir))
    url = url or server.url
    pid = server.pids if server else server_pid
    memory = MemorySampler(pid, MEMORY_INTERVAL) if pid else None
    expected: dict = {}
    baseline, load = Tally(), Tally()
    try:
        baseline_cpu = CpuMeter(pid)
        run_coroutine(run_baseline(url, baseline_rounds, baseline, expected))
        cpu = {"baseline": baseline_cpu.cores()}
        load_started, began, load_cpu = memory.now() if memory else 0.0, time.monotonic(), CpuMeter(pid)
        warm = run_coroutine(run_sessions(url, sessions, seconds, think, load, expected))
        load_seconds = time.monotonic() - began
        cpu["load"] = load_cpu.cores()
        memory_summary = memory.summary(load_started, warm) if memory else None  # before any attacker
        attack_seconds = seconds if attack_seconds is None else attack_seconds
        attacked = (
            run_attacked(url, sessions, attack_seconds, think, expected, memory, load, attacker) if attacker else None
        )
    finally:
        if memory:
            memory.stop()
        if server:
            server.stop()
    report = {
        "url": url,
        "sessions": sessions,
        "seconds": seconds,
        "load_seconds": load_seconds,
        "think_s": think,
        "baseline_rounds": baseline_rounds,
        "inputs": {action.name: list(action.inputs) for action in ACTIONS},
        "baseline": _summaries(baseline.seconds),
        "load": _summaries(load.seconds),
        "in_step": _summaries(load.in_step_seconds),
        "max_sessions_in_action_at_once": dict(load.max_in_flight),
        "errors": {
            "total": sum(baseline.errors.values()) + sum(load.errors.values()),
            "baseline": dict(baseline.errors),
            "load": dict(load.errors),
            "examples": baseline.examples + load.examples,
        },
        "outputs": {"inputs": len(expected), "compared": load.compared, "differ": load.differ + baseline.differ},
        "memory": memory_summary,
        "memory_growth_limit_mb": MEMORY_GROWTH_LIMIT_MB,
        "cpu": cpu,
        "server_log_errors": server.error_lines()[:20] if server else None,
        "attacked": attacked,
        "processes": processes or 1,
        "affinity": server.affinity() if isinstance(server, Balancer) else None,
    }
    report["passed"] = passed(report)
    return report


def run_attacked(
    url: str,
    sessions: int,
    seconds: float,
    think: float,
    expected: dict,
    memory: MemorySampler | None,
    unattacked: Tally,
    kind: str = "both",
) -> dict:
    """The same load again beside an attacker (`kind`: "uploads", "states" or "both"); p95 per action
    against the run without, and peak memory."""
    import tempfile

    from tools.attacks import Attacker
    from tools.channel_attacks import ChannelAttacker

    tally = Tally()
    with tempfile.TemporaryDirectory() as folder:
        started = memory.now() if memory else 0.0
        attacker = Attacker(url, Path(folder)) if kind in ("uploads", "both") else None
        channel = ChannelAttacker(url) if kind in ("states", "both") else None
        for attack in (attacker, channel):
            if attack:
                attack.start()
        try:
            run_coroutine(run_sessions(url, sessions, seconds, think, tally, expected))
        finally:
            for attack in (attacker, channel):
                if attack:
                    attack.stop()
    before, after = _summaries(unattacked.seconds), _summaries(tally.seconds)
    ratios = {row: after[row]["p95_ms"] / before[row]["p95_ms"] for row in after if row in before}
    return {
        "load": after,
        "p95_ratio": ratios,
        "worst_p95_ratio": max(ratios.values(), default=None),
        "kind": kind,
        "uploads": attacker.uploads if attacker else 0,
        "channel_attacks": channel.sent if channel else 0,  # hostile component and widget states (channel_attacks.py)
        "broken_by": channel.broken if channel else [],
        "errors": dict(tally.errors),
        "examples": tally.examples,
        "differ": tally.differ,
        "peak_mb": max((mb for t, mb in memory.samples if t >= started), default=None) if memory else None,
    }


def _summaries(times: dict) -> dict:
    return {row: summarize(seconds) for row, seconds in times.items()}


def passed(report: dict) -> bool:
    """No errors, every output as the single session's, and memory flat after warm-up."""
    memory = report["memory"]
    bounded = memory is None or memory.get("growth_after_warmup_mb", float("inf")) <= MEMORY_GROWTH_LIMIT_MB
    attacked = report.get("attacked")
    withstood = attacked is None or (
        not attacked["errors"]
        and not attacked["differ"]
        and not attacked["broken_by"]
        and (attacked["worst_p95_ratio"] or 0) <= ATTACK_P95_LIMIT
        and (attacked["peak_mb"] or 0) <= ATTACK_MEMORY_LIMIT_MB
    )
    affinity = report.get("affinity")
    stayed = affinity is None or affinity["on_several_processes"] == 0
    return report["errors"]["total"] == 0 and report["outputs"]["differ"] == 0 and bounded and withstood and stayed


def print_report(report: dict) -> None:
    sessions = report["sessions"]
    print(
        f"\nLoad test: {sessions} sessions for {report['load_seconds']:.0f} s against {report['url']}, "
        f"{report['think_s']:g} s mean pause between steps. Baseline: one session, {report['baseline_rounds']} "
        f"rounds over every input."
    )
    _print_table(report, "load", f"{sessions} sessions, running freely (after the first round)")
    _print_table(report, "in_step", f"the first round: all {sessions} sessions do each step at the same moment")
    print("(at once: the most sessions inside that action at the same moment, all served by the one shared model)")
    errors, outputs = report["errors"], report["outputs"]
    print(f"\nErrors: {errors['total']} (baseline: {errors['baseline'] or 'none'}; load: {errors['load'] or 'none'})")
    for example in errors["examples"]:
        print(f"  {example}")
    print(
        f"Outputs: {outputs['compared']} made under load compared with the single session's for the same input "
        f"({outputs['inputs']} inputs); {outputs['differ']} differ."
    )
    _print_memory(report)
    affinity = report.get("affinity")
    if affinity:
        print(
            f"Balancer: {report['processes']} processes; requests per process {affinity['requests_per_process']}; "
            f"{affinity['visitors']} visitors, {affinity['on_several_processes']} of them reached more than one process."
        )
    if report["memory"] is not None:  # (with --url, only given the server's pid)
        print(
            "CPU, cores busy on average (of {of}):".format(**report["cpu"]["load"]),
            "; ".join(
                f"{phase}: server {cores['server']:.2f}, this client {cores['load_client']:.2f}, everything else on "
                f"the machine {cores['everything_else']:.2f}"
                for phase, cores in report["cpu"].items()
            )
            + ".",
        )
    attacked = report.get("attacked")
    if attacked:
        print(
            f"\nWith an attacker ({attacked['uploads']} hostile uploads and {attacked['channel_attacks']} hostile "
            "states during the second run): p95 against the "
            "run without, per action: "
            + "; ".join(f"{row} {ratio:.2f}×" for row, ratio in attacked["p95_ratio"].items())
        )
        print(
            f"  worst {attacked['worst_p95_ratio']:.2f}× (at most {ATTACK_P95_LIMIT:g}×); server peak "
            f"{attacked['peak_mb']:.0f} MB (at most {ATTACK_MEMORY_LIMIT_MB} MB); errors: {attacked['errors'] or 'none'}; "
            f"sessions broken by a hostile state: {attacked['broken_by'] or 'none'}."
        )
    if report["server_log_errors"]:
        print("Server log lines that look like errors:")
        for line in report["server_log_errors"]:
            print(f"  {line[:200]}")
    print("PASSED" if report["passed"] else "FAILED")


def _print_table(report: dict, phase: str, title: str) -> None:
    print(f"\n{title}")
    header = (
        f"{'action':48} {'1 session p50':>13} {'p95':>8}   {'loaded p50':>10} {'p95':>8} {'n':>5}   "
        f"{'ratio p50':>9} {'p95':>6} {'at once':>7}"
    )
    print(header)
    print("-" * len(header))
    for row, alone in report["baseline"].items():
        busy = report[phase].get(row)
        if busy is None:
            continue
        at_once = report["max_sessions_in_action_at_once"].get(row, "")
        print(
            f"{row:48} {alone['median_ms']:10.0f} ms {alone['p95_ms']:5.0f} ms   {busy['median_ms']:7.0f} ms "
            f"{busy['p95_ms']:5.0f} ms {busy['runs']:5d}   {busy['median_ms'] / alone['median_ms']:8.1f}x "
            f"{busy['p95_ms'] / alone['p95_ms']:5.1f}x {at_once:>7}"
        )


def _print_memory(report: dict) -> None:
    memory = report["memory"]
    if memory is None:
        print("Memory: not measured (give --server-pid with --url).")
        return
    print(
        f"Memory (server RSS with children): start {memory['start_mb']:.0f} MB, load start "
        f"{memory['load_start_mb']:.0f} MB, peak {memory['peak_mb']:.0f} MB, end {memory['end_mb']:.0f} MB."
    )
    if "warm_mb" in memory:
        print(
            f"  After warm-up ({memory['warm_at_s']:.0f} s into the load; means of the first and last thirds "
            f"after it): {memory['warm_mb']:.0f} -> {memory['end_mean_mb']:.0f} MB, "
            f"{memory['growth_after_warmup_mb']:+.0f} MB (limit {report['memory_growth_limit_mb']}); "
            f"peak {memory['peak_after_warmup_mb']:.0f} MB; trend {memory['slope_after_warmup_mb_per_min']:+.1f} MB/min."
        )
    else:
        print("  Warm-up (every session through every page) was not reached.")


def run_loadtest_command(args) -> int:
    """`python -m tools loadtest`: run, print the tables, write the JSON; 0 when it passed."""
    report = run_load_test(
        args.sessions,
        args.seconds,
        args.think,
        args.baseline_rounds,
        args.url,
        args.server_pid,
        args.app_dir,
        args.attacker,
        processes=args.processes,
    )
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
        print(f"Wrote {args.json}")
    return 0 if report["passed"] else 1
