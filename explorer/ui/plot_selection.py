"""The Projector plot's selection (a click, a box or a lasso) as the rows it names.

Streamlit's `on_select` message carries every selected point whole: 21 MB for a box around 50,000
points, so the server had to accept 25 MB from any browser, and a hostile one filled that with
millions of empty lists (600 MB a session). `web/components/plot_selection.js` listens before
Streamlit does and sends only the row numbers; Streamlit's message keeps the outline alone, and
`server.maxWidgetStateSize` can be small (.streamlit/config.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from explorer.projector.plot import valid_rows
from explorer.ui import live


def plot_selection(chart_key: str, count: int, on_rows: Callable[[list[int]], None]) -> None:
    """Listen to the selections of the plotly chart keyed `chart_key`, whose points carry their row
    (0 … count − 1) as their first customdata value; `on_rows(rows)` is called with each new one."""
    key = f"{chart_key}_rows"
    live.component("plot_selection", runtime=False)(
        key=key,
        height=0,
        data={"target": f".st-key-{chart_key} .js-plotly-plot", "count": int(count)},
        on_rows_change=partial(_on_rows, key, count, on_rows),
    )


def _on_rows(key: str, count: int, on_rows: Callable[[list[int]], None]) -> None:
    state = st.session_state.get(key)
    on_rows(reported_rows(state.get("rows") if isinstance(state, dict) else None, count))


def reported_rows(value, count: int) -> list[int]:
    """The rows a report names, each a whole number in 0 … count − 1, in order, without repeats;
    anything else a browser may put there is ignored."""
    return valid_rows(value.get("rows") if isinstance(value, dict) else None, count)
