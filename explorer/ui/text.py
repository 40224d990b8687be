"""The Text page's parts: settings, streaming generation with a stop button, the probability view,
and the same prompt at several temperatures.

Settings are bound to the URL. The generated steps are kept in the page's `TextPageState` as
they stream, so a Stop (which reruns the page and interrupts the stream) keeps what was written.
Once something is written the URL says so (`written=1`): the same settings and seed write the same
text, so a link opens with it written again.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

import streamlit as st

from explorer.maths.sampling import ARGMAX_TEMPERATURE, clean_prompt
from explorer.palette import EMPHASIS, rgba
from explorer.serving.models import CharModel
from explorer.serving.text_generation import generate
from explorer.ui import presenter
from explorer.ui.common import session_object, whole_number

MAX_LENGTH = 2_000
COMPARE_TEMPERATURES = (0.5, 1.0, 1.5)
COMPARE_LENGTH = 300
OUTPUT_PLACEHOLDER = "The text appears here as it is written."
FLUSH_SECONDS = 0.03  # stream in small batches: one page update per character would flood the socket
WRITTEN_PARAM = "written"  # in the URL once a text was written for its settings


@dataclass
class TextPageState:
    """What the Text page keeps between runs besides its widgets' values."""

    steps: list | None = None  # the last text's steps (`Step`s); None: nothing written yet
    generated_for: tuple = ("", ())  # the prompt and (sorted) options it was written with
    speed: float | None = None  # its characters per second
    fresh_speed: bool = False  # the speed is new: say it once
    job: dict | None = None  # a text the page is asked to write in the browser (live_text.job)
    result_problem: str | None = None  # why the browser's last text could not be used, said once
    runs: int = 0  # texts asked of the browser so far: each job's number


def page_state() -> TextPageState:
    return session_object(TextPageState)


@st.cache_resource(max_entries=4, show_spinner="Loading the model…")
def load_char_model(folder: str) -> CharModel:
    return CharModel.from_folder(folder)


# Streamed text arrives inside a code fence, which does not wrap: long lines ran off the screen
# (presenter mode's larger type especially) until the page reran and drew it with wrap_lines.
OUTPUT_STYLE = (
    "<style>.st-key-output pre, .st-key-output code { white-space: pre-wrap !important;"
    " overflow-wrap: anywhere; }</style>"
)


# A speaker as the corpus writes one, a name in capitals and a full stop on its own line: KING. is
# its most frequent (461 times); "ROMEO:" matched nothing it read (":" is 0.25 % of its characters).
DEFAULT_PROMPT = "KING.\n"


def settings(model: CharModel) -> dict:
    st.html(OUTPUT_STYLE)
    st.text_area(
        "Prompt",
        DEFAULT_PROMPT,
        key="prompt",
        bind="query-params",
        max_chars=2_000,
        height=90,
        help="The model reads this, then continues it. Empty: it starts from a new line.",
    )
    row = st.columns([3, 3, 2, 2, 3])
    length = row[0].slider(
        "Length", 0, MAX_LENGTH, 400, 50, key="length", bind="query-params", help="Characters to generate."
    )
    temperature = row[1].slider(
        "Temperature",
        0.0,
        2.0,
        0.8,
        0.05,
        key="temperature",
        bind="query-params",
        help="Below 1: more predictable (0 always takes the likeliest character). "
        "Above 1: more surprising, and soon misspelt.",
    )
    seed = whole_number(
        row[2], "Seed", 0, 1_000_000, 0, key="text_seed", help="The same prompt, settings and seed write the same text."
    )
    top_k = whole_number(
        row[3],
        "Top-k",
        0,
        len(model.vocabulary),
        0,
        key="top_k",
        help="Draw only from the k likeliest characters; 0 = all.",
    )
    top_p = row[4].slider(
        "Top-p",
        0.05,
        1.0,
        1.0,
        0.05,
        key="top_p",
        bind="query-params",
        help="Draw only from the likeliest characters whose probabilities add up to p.",
    )
    st.caption(
        f"Temperature {temperature:.2f}: "  # a link's 5e-324 reads 0.00, and is the arg-max
        + (
            "always the likeliest next character (deterministic)."
            if temperature < ARGMAX_TEMPERATURE
            else "more predictable than the model itself."
            if temperature < 1
            else "the model's own probabilities."
            if temperature == 1
            else "more surprising than the model itself."
        )
    )
    return dict(
        length=int(length), temperature=float(temperature), seed=int(seed), top_k=int(top_k), top_p=float(top_p)
    )


def prepared_prompt(model: CharModel) -> str:
    """The prompt the model will read, after saying what was dropped, cut or assumed."""
    raw = st.session_state.get("prompt", "")
    cleaned = clean_prompt(raw, model.vocabulary)
    if cleaned.dropped:
        shown = " ".join(repr(c)[1:-1] if not c.isprintable() else c for c in cleaned.dropped[:20])
        st.info(
            f"The model does not know {len(cleaned.dropped)} of the prompt's characters, so they were "
            f"left out: {shown}",
            icon=":material/info:",
        )
    if cleaned.cut:
        st.info(
            f"The prompt was cut to its last {len(cleaned.text):,} characters ({cleaned.cut:,} left out): "
            "the model reads at most that much.",
            icon=":material/content_cut:",
        )
    if not raw:
        st.caption("Empty prompt: the model starts from a new line.")
    return cleaned.text


def _start_writing(prompt: str, options: dict) -> list:
    """The list the steps go into, with what they are written for; the URL records that a text was written."""
    page_state().steps = steps = []
    page_state().generated_for = (prompt, tuple(sorted(options.items())))
    st.query_params[WRITTEN_PARAM] = "1"
    return steps


def stream(model: CharModel, prompt: str, options: dict, output) -> None:
    """Write the generated text as it comes, keeping every step in the session for the views below."""
    steps = _start_writing(prompt, options)
    started = time.perf_counter()

    def chunks():
        pending, last = "", time.perf_counter()
        for step in generate(model, prompt, **options):
            steps.append(step)
            pending += step.char
            if len(steps) == 1 or time.perf_counter() - last > FLUSH_SECONDS:
                yield pending
                pending, last = "", time.perf_counter()
        if pending:
            yield pending

    with output:
        st.write_stream(_fenced(chunks()))
    seconds = time.perf_counter() - started
    page_state().speed = len(steps) / seconds if seconds > 0 else 0.0


def _fenced(chunks):
    """Inside a code fence, Markdown leaves the model's asterisks, dashes and line breaks alone."""
    yield "```text\n"
    for chunk in chunks:
        yield chunk.replace("```", "ˋˋˋ")
    yield "\n```"


def write_for_link(model: CharModel, prompt: str, options: dict) -> None:
    """A link to a written text: write it again at once, unstreamed (the seed makes it the same text)."""
    if page_state().steps is None and WRITTEN_PARAM in st.query_params:
        _start_writing(prompt, options).extend(generate(model, prompt, **options))


def show_generated(output) -> None:
    """The last generation, as it looked while streaming."""
    with output:
        if generated_text():
            st.code(generated_text(), language=None, wrap_lines=True)
        else:  # a code block already on screen: the first streamed character needs no new renderer
            st.code(OUTPUT_PLACEHOLDER, language=None)


def generated_for() -> tuple[str, dict]:
    """The prompt and options the shown text was generated with."""
    prompt, options = page_state().generated_for
    return prompt, dict(options)


def generated_text() -> str:
    return "".join(step.char for step in page_state().steps or [])


def probability_view(model: CharModel) -> None:
    """The text coloured by how probable each character was, and the likeliest next characters anywhere."""
    from explorer.ui.plots import next_char_bars

    steps = page_state().steps or []
    if not steps:
        st.info("Press Generate: the text then appears here, coloured by how probable each character was.")
        return
    st.html(coloured_text(steps))
    st.caption("The darker the highlight, the less probable the model found that character (temperature 1).")
    position = (
        st.slider(
            "Position",
            1,
            len(steps),
            min(len(steps), 1),
            key="position",
            bind="query-params",
            help="Which generated character to look at.",
        )
        if len(steps) > 1
        else 1
    )
    step = steps[position - 1]
    context = "".join(s.char for s in steps[max(0, position - 31) : position - 1])
    st.code(f"…{context[-30:]}⟨{step.char}⟩".replace("\n", "⏎"), language=None)
    st.caption(
        f"Position {position}: the model drew ⟨{step.char if step.char != chr(10) else '⏎'}⟩, "
        f"which it gave {step.probability:.1%}; the ten characters it found likeliest there:"
    )
    chars = [model.vocabulary.chars[i] for i in step.top_ids]
    st.plotly_chart(
        presenter.sized(next_char_bars(chars, step.top_probabilities, step.char)),
        key="bars",
        config={"displayModeBar": False},
    )


def coloured_text(steps) -> str:
    spans = []
    for step in steps:
        alpha = 0.85 * (1 - step.probability) ** 1.5
        char = "<br>" if step.char == "\n" else html.escape(step.char)
        spans.append(f'<span title="{step.probability:.1%}" style="background: {rgba(EMPHASIS, alpha)}">{char}</span>')
    return (
        '<div style="font-family: monospace; font-size: 1.05rem; line-height: 1.6; white-space: pre-wrap">'
        + "".join(spans)
        + "</div>"
    )


def compare_temperatures(model: CharModel, prompt: str, options: dict) -> None:
    cuts = [f"top-k {options['top_k']}" if options.get("top_k") else ""]
    cuts.append(f"top-p {options['top_p']:g}" if options.get("top_p", 1.0) < 1.0 else "")
    kept = " and ".join(cut for cut in cuts if cut)
    st.caption(
        f"The same prompt and seed, {COMPARE_LENGTH} characters at each temperature"
        + (f", each drawn with {kept} as set above." if kept else ".")
    )
    columns = st.columns(len(COMPARE_TEMPERATURES))
    for column, temperature in zip(columns, COMPARE_TEMPERATURES):
        text = "".join(
            step.char
            for step in generate(model, prompt, **{**options, "temperature": temperature, "length": COMPARE_LENGTH})
        )
        with column:
            st.markdown(f"**Temperature {temperature}**")
            st.code(text, language=None, wrap_lines=True)
