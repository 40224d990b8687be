"""The load test, short: four sessions for 15 s against a local server, through every page.

`python -m tools loadtest` is the full one (30 sessions, 2 minutes); this runs the same code.
"""

from __future__ import annotations

import pytest

from tools.load_actions import ACTIONS
from tools.loadtest import run_load_test

pytestmark = pytest.mark.slow  # minutes on its own: runs with --slow, as CI does

SESSIONS = 4


def test_four_sessions_at_once_make_the_single_session_outputs_with_no_errors_and_flat_memory():
    report = run_load_test(sessions=SESSIONS, seconds=15, think=0.2, baseline_rounds=1)

    assert report["errors"]["total"] == 0, report["errors"]["examples"]
    # In the first round every session performed each action at the same moment, so the one shared
    # model of each page served them all at once; every output made under load (images, plot,
    # generated text) is the one a session alone gets for the same input.
    for action in ACTIONS:
        assert report["in_step"][action.name]["runs"] == SESSIONS, action.name
        assert report["max_sessions_in_action_at_once"][action.name] == SESSIONS, action.name
    assert report["outputs"]["compared"] >= SESSIONS * len(ACTIONS)
    assert report["outputs"]["differ"] == 0
    memory = report["memory"]
    assert "growth_after_warmup_mb" in memory, "every session should have been through every page"
    assert memory["growth_after_warmup_mb"] <= report["memory_growth_limit_mb"], memory
    assert report["passed"]


def test_an_attacker_uploading_hostile_files_leaves_the_others_correct_and_the_server_small():
    from tools.loadtest import ATTACK_MEMORY_LIMIT_MB

    # The load without the attacker is there to compare p95 with; the test asks about the load beside it.
    report = run_load_test(sessions=2, seconds=6, think=0.2, baseline_rounds=1, attacker="both", attack_seconds=20)
    attacked = report["attacked"]
    assert attacked["uploads"] >= 3, "the attacker got its files in"
    assert attacked["channel_attacks"] >= 3 and not attacked["broken_by"], attacked["broken_by"]
    assert not attacked["errors"] and attacked["differ"] == 0, attacked["examples"]
    assert attacked["peak_mb"] <= ATTACK_MEMORY_LIMIT_MB, attacked["peak_mb"]
    assert not report["server_log_errors"], report["server_log_errors"]


def test_an_output_unlike_the_single_sessions_counts_as_wrong():
    from streamlit.proto.Element_pb2 import Element

    from tools.load_actions import Action, Tally, images_drawn, perform
    from tools.streamlit_client import Run, run_coroutine

    def action_drawing(url: str) -> Action:
        async def draw(session, value) -> Run:
            element = Element()
            element.imgs.imgs.add(url=url)
            return Run(drawn={(0, 0): element})

        return Action("move a slider", "vae", "", (1.0,), draw, images_drawn)

    expected, tally = {}, Tally()
    run_coroutine(perform(None, action_drawing("data:image/png;base64,AAAA"), 1.0, tally, expected, None))
    run_coroutine(perform(None, action_drawing("data:image/png;base64,AAAA"), 1.0, tally, expected, None))
    assert (tally.compared, tally.differ) == (2, 0)
    run_coroutine(perform(None, action_drawing("data:image/png;base64,BBBB"), 1.0, tally, expected, None))
    assert (tally.compared, tally.differ, tally.errors["wrong output"]) == (3, 1, 1)
