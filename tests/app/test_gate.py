"""The gate in front of Streamlit's WebSocket: what no browser's page would send never reaches Streamlit."""

from __future__ import annotations

import json
import math

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg

from explorer.ui.gate import MAX_JSON_CONTAINERS, checked


def rerun(**states) -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = "model=mnist-vae-16d"
    for name, (kind, value) in states.items():
        widget = message.rerun_script.widget_states.widgets.add(id=f"$$ID-{name}")
        if kind == "double_array_value":
            widget.double_array_value.data[:] = value
        else:
            setattr(widget, kind, value)
    return message.SerializeToString()


def kept_ids(data: bytes) -> list[str]:
    return [widget.id.split("-", 1)[1] for widget in BackMsg.FromString(data).rerun_script.widget_states.widgets]


def test_an_honest_message_passes_as_it_came():
    honest = rerun(
        z1=("double_array_value", [1.5]),
        seed=("int_value", 7),
        live_vae=("json_value", json.dumps({"position": {"z1": 1.5}})),
        live_text=("json_value", json.dumps({"result": {"topIds": [[1, 2]] * 2_000}})),
        model=("string_value", "mnist-vae-2d"),
        generate=("trigger_value", True),
    )
    assert checked(honest) is honest


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("double_value", math.nan),  # a number field: int(nan) raised in the page on every rerun
        ("double_value", math.inf),
        ("double_array_value", [0.5, -math.inf]),
        ("json_value", "{not json"),  # raised inside Streamlit on every rerun until reload
        ("json_value", '{"position": {"z1": NaN}}'),  # JavaScript's JSON.stringify never writes NaN
        ("json_value", '{"z": Infinity}'),
        ("json_value", "[" * 5_000 + "]" * 5_000),
        ("json_value", '{"junk": [' + ",".join(["[]"] * (MAX_JSON_CONTAINERS + 1)) + "]}"),  # 600 MB to parse
        ("json_trigger_value", "{"),
    ],
)
def test_a_widget_state_no_page_would_send_is_removed_and_the_others_kept(kind, value):
    cleaned = checked(rerun(z2=("double_array_value", [1.0]), bad=(kind, value), seed=("int_value", 3)))
    assert kept_ids(cleaned) == ["z2", "seed"]
    assert BackMsg.FromString(cleaned).rerun_script.query_string == "model=mnist-vae-16d"


@pytest.mark.parametrize("kind", ["clear_cache", "set_run_on_save"])
def test_developer_requests_from_a_visitor_are_dropped(kind):
    """`clear_cache` emptied every visitor's caches (the models loaded again), though no menu offers it."""
    message = BackMsg()
    setattr(message, kind, True)
    assert checked(message.SerializeToString()) is None


def test_bytes_that_are_not_a_message_are_dropped_and_a_heartbeat_passes():
    assert checked(b"\xff\xff\xff\xff") is None
    heartbeat = BackMsg(app_heartbeat=True).SerializeToString()
    assert checked(heartbeat) is heartbeat


def test_a_message_over_the_servers_limit_goes_on_unread_for_streamlit_to_refuse(monkeypatch):
    from explorer.ui import gate

    monkeypatch.setattr(gate, "_size_limit", lambda: 1_000)
    large = rerun(bad=("json_value", "{" * 2_000))
    assert checked(large) is large
