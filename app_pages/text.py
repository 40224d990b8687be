"""Text page: a char-RNN writes one character at a time; temperature decides how boldly."""

import streamlit as st

from explorer.ui import live, text
from explorer.ui.common import model_picker, open_tab
from explorer.ui.presenter import explain
from explorer.ui.text_numbers import numbers_view

st.title("Text: a char-RNN, one character at a time")
explain(
    "A recurrent network read Shakespeare and learnt, for every string of characters, how likely each "
    "next character is. Give it a beginning; it draws the next character, reads it, and goes on."
)

checkpoint, model = model_picker(("charrnn",), text.load_char_model)
metrics = checkpoint.metrics
if "heldout_nats_per_char" in metrics:
    st.sidebar.caption(
        f"Held-out loss {metrics['heldout_nats_per_char']:.2f} nats "
        f"({metrics['heldout_bits_per_char']:.2f} bits) per character"
    )

options = text.settings(model)
prompt = text.prepared_prompt(model)
in_browser = live.enabled()
buttons = st.columns([2, 2, 6])
go = buttons[0].button("Generate", type="primary", icon=":material/edit:", key="generate", width="stretch")
if not in_browser:  # in the browser, the box has its own Stop while it writes
    buttons[1].button(
        "Stop", icon=":material/stop:", key="stop", width="stretch", help="Stops the writing; what was written stays."
    )
    live.explain_fallback("Text is written")
# Drawn before the click, so that the first character lands in a box already on screen.
output = st.container(border=True, key="output")
if in_browser:
    from explorer.ui.live_text import live_writer

    with output:
        live_writer(model, prompt, options, go)
elif go:
    text.stream(model, prompt, options, output)
else:
    text.write_for_link(model, prompt, options)
    text.show_generated(output)
if text.generated_text():
    kept = text.page_state()
    speed, fresh = kept.speed, kept.fresh_speed or go  # said once, after the writing
    kept.fresh_speed = False
    used_prompt, used_options = text.generated_for()
    st.caption(
        f"{len(text.generated_text()):,} characters"
        + (f" · {speed:,.0f} per second" if speed and fresh else "")
        + (" in your browser" if speed and fresh and in_browser else "")
        + (
            ""
            if (used_prompt, used_options) == (prompt, options)
            else " · written with an earlier prompt or settings: press Generate to write with these"
        )
    )
    st.download_button(
        "Download the prompt and text",
        used_prompt + text.generated_text(),
        "generated.txt",
        "text/plain",
        key="download",
        on_click="ignore",
        icon=":material/download:",
        help="One file: the prompt, then what the model wrote after it (the box above shows only that).",
    )
else:
    used_prompt, used_options = prompt, options  # nothing written yet: compare with these settings
# The same tabs before and after writing, so that a link to one opens it whether or not it is written.
sections = {
    "How probable was each character?": text.probability_view,
    "Compare temperatures": lambda m: text.compare_temperatures(m, used_prompt, used_options),
    "Text as numbers": lambda m: numbers_view(m, prompt),  # the prompt as the model reads it
}
open_tab(sections, "view", model)
