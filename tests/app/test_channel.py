"""What a browser sends back through the live components is input: each value is checked against
what the server asked for, before anything is built from it (no browser, no TensorFlow)."""

from __future__ import annotations

import math

import pytest

from explorer.ui.live_text import ResultError, checked_steps

VOCABULARY = list("abc\n")
JOB = {"run": 1, "uniforms": [0.5] * 4}


def result(**changes) -> dict:
    honest = {
        "run": 1,
        "ids": [0, 1, 2],
        "probabilities": [0.5, 0.25, 1.0],
        "topIds": [[0, 1], [1, 0], [2, 3]],
        "topProbabilities": [[0.5, 0.3], [0.25, 0.2], [1.0, 0.0]],
        "seconds": 0.5,
    }
    return {**honest, **changes}


def test_an_honest_result_becomes_the_steps_and_its_speed():
    steps, seconds = checked_steps(result(), JOB, VOCABULARY)
    assert "".join(step.char for step in steps) == "abc" and seconds == 0.5
    assert steps[1].top_ids.tolist() == [1, 0] and steps[2].probability == 1.0


@pytest.mark.parametrize(
    "changes, said",
    [
        (  # a 12 MB message had cost the server 1 GB and 9 s
            {
                "ids": [0] * 1_000_000,
                "probabilities": [0.5] * 1_000_000,
                "topIds": [[0, 1]] * 1_000_000,
                "topProbabilities": [[0.5, 0.3]] * 1_000_000,
            },
            "1,000,000 characters where 4 were asked for",
        ),
        ({"ids": [10**6, 1, 2]}, "not one the model could give"),
        ({"ids": ["a", 1, 2]}, "not one the model could give"),
        ({"ids": [True, 1, 2]}, "not one the model could give"),
        ({"ids": [-1, 1, 2]}, "not one the model could give"),
        ({"probabilities": [2.0, 0.25, 1.0]}, "not one the model could give"),  # had shown "200.0 %"
        ({"probabilities": [math.nan, 0.25, 1.0]}, "not one the model could give"),
        ({"probabilities": [None, 0.25, 1.0]}, "not one the model could give"),
        ({"topIds": [[0] * 50, [1], [2]]}, "likeliest characters are not a list"),
        ({"topIds": [[0, 99], [1, 0], [2, 3]]}, "not ones the model could give"),
        ({"topProbabilities": [[0.5, -1], [0.25, 0.2], [1.0, 0.0]]}, "not ones the model could give"),
        ({"topIds": [{"x": 1}, [1, 0], [2, 3]]}, "not a list"),
        ({"ids": [0, 1]}, "unequal lengths"),
        ({"ids": None}, "missing"),
        ({"probabilities": "0.5"}, "missing"),
    ],
)
def test_a_result_that_is_not_the_asked_text_is_refused_with_a_sentence(changes, said):
    with pytest.raises(ResultError, match=said):
        checked_steps(result(**changes), JOB, VOCABULARY)


def test_more_likeliest_characters_than_the_page_keeps_are_refused():
    wide = result(topIds=[[0, 1, 2], [1, 0, 2], [2, 3, 0]], topProbabilities=[[0.5, 0.3, 0.1]] * 3)
    with pytest.raises(ResultError, match="not ones the model could give"):
        checked_steps(wide, JOB, VOCABULARY, top=2)


@pytest.mark.parametrize("seconds", [1e-300, 0, -5, math.inf, math.nan, "2", None, True, 10**9])
def test_a_writing_time_that_cannot_be_true_gives_no_speed(seconds):
    """1e-300 seconds had printed a 300-digit "per second"."""
    assert checked_steps(result(seconds=seconds), JOB, VOCABULARY)[1] == 0.0


def test_something_other_than_a_record_is_refused():
    for junk in ([], "text", 5, None):
        with pytest.raises(ResultError):
            checked_steps(junk, JOB, VOCABULARY)


def test_a_reported_slider_position_keeps_only_finite_numbers_of_known_sliders():
    from explorer.ui.live import Slider, positions

    sliders = [Slider("z1", "z1", -3, 3, 0.1), Slider("z2", "z2", -3, 3, 0.1), Slider("psi", "ψ", 0, 1.5, 0.05)]
    sent = {"z1": math.nan, "z2": math.inf, "psi": "1.5", "extra": [0] * 10, "z3": 1.0}
    assert positions(sent, sliders) == {}
    assert positions({"z1": 1.5, "z2": -1, "psi": True}, sliders) == {"z1": 1.5, "z2": -1.0}
    for junk in (None, [1, 2], "z1=1", 5, {"position": {"z1": 1}}):
        assert positions(junk, sliders) == {}


@pytest.mark.parametrize("temperature", [5e-324, 1e-12, 9.9e-4, 0.0, -1.0, math.nan])
def test_a_temperature_too_small_to_divide_by_draws_the_likeliest_character(temperature):
    """A link's temperature=5e-324 overflowed the tempered logits: the page wrote "}}}}…"."""
    import numpy as np

    from explorer.maths.sampling import next_char_distribution

    logits = np.array([2.0, 5.0, 4.9, -1.0])
    assert next_char_distribution(logits, temperature).tolist() == [0.0, 1.0, 0.0, 0.0]
    close = np.array([2.0, 5.0, 4.9999, -1.0])
    assert 0.5 < next_char_distribution(close, 1e-3)[1] < 0.6, "from the floor up, temperature tempers"


def test_the_text_page_says_a_tiny_temperature_is_the_arg_max():
    from tests.support.apptest import open_page

    at = open_page("app_pages/text.py", runtime="server", temperature="5e-324")
    assert not at.exception
    assert "always the likeliest next character" in " ".join(c.value for c in at.caption)


def test_a_position_that_is_not_numbers_is_refused_and_unknown_keys_are_not():
    from explorer.ui.live import Slider, refused

    sliders = [Slider("z1", "z1", -3, 3, 0.1), Slider("z2", "z2", -3, 3, 0.1)]
    assert not refused({"z1": 1.5}, sliders) and not refused({"z1": 1.5, "mount": [0] * 5}, sliders)
    for junk in ({"z1": math.nan}, {"z2": None}, {"z1": "1.5"}, {"z1": [1]}, {"z1": {"a": 1}}, None, [1.0], "z1"):
        assert refused(junk, sliders), junk


def _report_a_position():
    """A page run whose live component reported a NaN and a number (the callback's part)."""
    import math

    import streamlit as st

    from explorer.ui import live

    st.session_state["reported"] = {"position": {"z1": math.nan, "z2": 1.0, "junk": [[]] * 3}}
    live._on_position("reported", [live.Slider(f"z{i}", "", -3, 3, 0.1) for i in (1, 2)])


def test_a_reported_nan_is_dropped_and_noted_and_the_number_beside_it_kept():
    from streamlit.testing.v1 import AppTest

    from explorer.ui import live

    at = AppTest.from_function(_report_a_position).run()
    assert not at.exception
    assert at.session_state[live.REFUSED] and at.session_state["z2"] == 1.0 and "z1" not in at.session_state


def test_the_vae_page_says_once_that_positions_were_ignored():
    from explorer.ui import live
    from tests.support.apptest import open_page

    at = open_page("app_pages/vae.py", model="mnist-vae-16d")
    at.session_state[live.REFUSED] = True
    at.run()
    assert not at.exception
    assert any("not numbers; they were ignored" in w.value for w in at.warning)
    at.run()
    assert not any("they were ignored" in w.value for w in at.warning), "said once"


@pytest.mark.parametrize(
    "event",
    [
        None,
        {},
        {"selection": None},
        {"selection": {"points": []}},
        {"selection": {"points": [{"x": math.nan, "y": 0}]}},
        {"selection": {"points": [{"x": "1", "y": 0}]}},
        {"selection": {"points": [{"x": True, "y": 0}]}},
        {"selection": {"points": [{"y": 0}]}},
        {"selection": {"points": ["x"]}},
        {"selection": {"points": {"x": 1}}},
    ],
)
def test_a_click_on_the_latent_plane_that_is_not_a_point_moves_nothing(event):
    from explorer.ui.vae_plane import clicked_point

    assert clicked_point(event) is None


def test_a_click_on_the_latent_plane_gives_its_coordinates():
    from explorer.ui.vae_plane import clicked_point

    assert clicked_point({"selection": {"points": [{"x": 1.25, "y": -2}, {"x": 9, "y": 9}]}}) == [1.25, -2.0]


def test_a_projector_selection_keeps_only_rows_of_the_data_set():
    from explorer.projector.plot import selected_rows

    points = [
        {"customdata": [3, "cat"]},
        {"customdata": [5]},
        {"customdata": [3]},  # a repeat
        {"customdata": ["4"]},  # the row is sent as a number
        {"customdata": [10]},  # beyond the 10 rows
        {"customdata": [-1]},
        {"customdata": [1e3]},
        {"customdata": [2.0]},
        {"customdata": [True]},
        {"customdata": "7"},
        {"customdata": [None]},
        "junk",
        {"customdata": [10**400]},
    ]
    assert selected_rows({"selection": {"points": points}}, 10) == [3, 5]
    for junk in (None, [], "x", {"selection": []}, {"selection": {"points": "abc"}}):
        assert selected_rows(junk, 10) == []


def test_the_largest_honest_messages_fit_the_servers_limit_twice():
    """A message over server.maxWidgetStateSize closes the browser's connection: the longest text the
    page writes, and a box around every point the Projector draws, must fit with room to spare."""
    import json
    import tomllib
    from pathlib import Path

    from explorer.projector.projection import PCA_MAX_POINTS
    from explorer.serving.text_generation import TOP_CHOICES
    from explorer.ui.text import MAX_LENGTH

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    limit = config["server"]["maxWidgetStateSize"] * 2**20
    p = 0.12345678901234567  # a float as JavaScript writes it, 17 significant digits
    written = {
        "run": 10**6,
        "ids": [83] * MAX_LENGTH,
        "probabilities": [p] * MAX_LENGTH,
        "topIds": [[83] * TOP_CHOICES] * MAX_LENGTH,
        "topProbabilities": [[p] * TOP_CHOICES] * MAX_LENGTH,
        "seconds": p,
    }
    rows = {"rows": list(range(PCA_MAX_POINTS - 10_000, PCA_MAX_POINTS)) * 5, "sent": 10**6}
    for state in ({"result": written}, {"rows": rows}):
        assert 2 * len(json.dumps(state)) < limit, f"{len(json.dumps(state)):,} bytes against {limit:,}"


def test_rows_reported_by_the_selection_listener_are_rows_of_the_data_set():
    from explorer.ui.plot_selection import reported_rows

    assert reported_rows({"rows": [3, 5, 3, 9], "sent": 2}, 10) == [3, 5, 9]
    assert reported_rows({"rows": [10, -1, 2.0, "4", True, None, [1], 10**400, 7]}, 10) == [7]
    assert reported_rows({"rows": [0] * 1_000_000 + [1]}, 10) == [0], "no more entries read than rows exist"
    for junk in (None, [], "1,2", {"rows": "1,2"}, {"rows": {"0": 1}}, {"other": [1]}):
        assert reported_rows(junk, 10) == []
