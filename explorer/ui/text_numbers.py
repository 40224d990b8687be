"""The Text page's "text as numbers" view, after the workshop's slide: convert all text to numbers
first; pick a sequence length, divide the text into sequences, train on (sequence, sequence shifted
by one) pairs: input "Machin", target "achine".
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from explorer.maths.sampling import shifted_pairs
from explorer.serving.models import CharModel
from explorer.serving.text_generation import next_char_log_probabilities
from explorer.ui import presenter

SHOWN = 40  # characters of the prompt shown as numbers


def visible(char: str) -> str:
    """A character as a table shows it: a space as ␣, a line break as ⏎."""
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(char, char)


def numbers_view(model: CharModel, prompt: str) -> None:
    """The prompt's characters as vocabulary ids, and the (input, target) pairs the model learns from,
    with the probability it gives each target."""
    seq_len = int(model.checkpoint.config.seq_len)
    shown = prompt[:SHOWN]
    presenter.explain(
        f"The model reads numbers, not letters: each of the {len(model.vocabulary)} characters it knows "
        f"has an id. It was trained on its text cut into sequences of {seq_len} characters (the "
        f"sequence length in its manifest), each paired with the same characters shifted by one, so "
        "that at every position the next character is the answer: input “Machin”, target “achine”.",
        label="About this view",
    )
    if len(shown) < 2:
        st.info("Type a prompt of two characters or more to see it as numbers.", icon=":material/keyboard:")
        return
    ids = model.vocabulary.encode(shown)
    st.markdown(f"**The prompt as ids** ({'its first ' + str(SHOWN) if len(prompt) > SHOWN else 'all'} characters)")
    st.html(id_table(shown, ids))
    inputs, targets = shifted_pairs(ids, len(ids) - 1)
    chars = model.vocabulary.chars
    st.markdown("**One training pair from it**: the input, and the target shifted by one")
    st.code(
        f"input   {''.join(visible(chars[i]) for i in inputs[0])}\ntarget  {''.join(visible(chars[i]) for i in targets[0])}",
        language=None,
    )
    probabilities = np.exp(next_char_log_probabilities(model, ids))
    st.dataframe(
        {
            "input": [visible(chars[i]) for i in inputs[0]],
            "input id": inputs[0],
            "target": [visible(chars[i]) for i in targets[0]],
            "target id": targets[0],
            "p(target)": probabilities,
        },
        column_config={
            "p(target)": st.column_config.ProgressColumn(
                "p(target)",
                help="The model's probability for the target after the inputs so far",
                format="percent",
                min_value=0.0,
                max_value=1.0,
            ),
        },  # fmt: skip
        hide_index=True,
        height=min(420, 38 + 35 * len(probabilities)),
    )
    st.caption(
        f"Read from the first character with an empty memory, as each training sequence is. The model "
        f"finds the targets {np.exp(np.log(probabilities).mean()):.0%} likely on average (geometric mean); "
        f"in training, sequences were {seq_len} characters long, this one is {len(inputs[0])}."
    )


def id_table(text: str, ids: np.ndarray) -> str:
    """Two rows, characters over their ids, in a horizontally scrolling strip."""
    cells = "".join(
        f"<td><b>{html.escape(visible(char))}</b><br><span>{int(i)}</span></td>" for char, i in zip(text, ids)
    )
    return (
        "<div style='overflow-x: auto'><table style='border-collapse: collapse; font-family: monospace; "
        "font-size: 1.05em; text-align: center'><tr>"
        + cells.replace("<td>", "<td style='border: 1px solid rgba(128,128,128,.4); padding: .2em .45em'>")
        + "</tr></table></div>"
    )
