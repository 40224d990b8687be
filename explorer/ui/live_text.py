"""The Text page writing in the browser (web/components/live_text.js): the GRU step in LiteRT.js,
the sampling in the page, the text streamed at the browser's pace.

A click on Generate makes a job: the prompt's ids, the settings, and the uniform random numbers the
server's own path draws for that seed (`np.random.default_rng(seed).random(length)`), so the page
writes the same text the server would. When the page has written it, every step comes back once
(`result`) and becomes the session's `steps`, as if the server had written them: the probability
view, the comparison and the download work alike.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import streamlit as st

from explorer.serving.models import CharModel
from explorer.serving.routes import model_url
from explorer.serving.text_generation import TOP_CHOICES, Step
from explorer.ui import live
from explorer.ui.text import OUTPUT_PLACEHOLDER, WRITTEN_PARAM, generated_text, page_state

KEY = "live_text"


def live_writer(model: CharModel, prompt: str, options: dict, go: bool) -> None:
    """The output box, written in the browser; `go` (a click on Generate) starts a new text, and so
    does a link to a written text when nothing is written yet."""
    kept = page_state()
    if go or (kept.steps is None and WRITTEN_PARAM in st.query_params and kept.job is None):
        kept.runs += 1
        kept.job = job(model, prompt, options, kept.runs)
    data = {
        "runtime": live.RUNTIME,
        "model": {"url": model_url(model.checkpoint, "step")},
        "vocabulary": list(model.vocabulary.chars),
        "units": model.units,
        "top": TOP_CHOICES,
        "job": kept.job,
        "shown": generated_text(),
        "placeholder": OUTPUT_PLACEHOLDER,
    }
    problem, kept.result_problem = kept.result_problem, None
    if problem:
        st.warning(problem + " Press Generate to write it again.", icon=":material/warning:")
    live.component("live_text")(
        key=KEY,
        data=live.unique(data),
        on_result_change=partial(_on_result, model),
        on_failed_change=partial(live.on_failed, KEY),
    )


def job(model: CharModel, prompt: str, options: dict, run: int) -> dict:
    """What the page needs to write what `generate(model, prompt, **options)` writes."""
    return {
        "run": run,
        "prompt": [int(i) for i in model.vocabulary.encode(prompt)],
        "uniforms": np.random.default_rng(options["seed"]).random(options["length"]).tolist(),
        "temperature": options["temperature"],
        "topK": options["top_k"],
        "topP": options["top_p"],
        "for": [prompt, sorted(options.items())],
    }


class ResultError(ValueError):
    """A `result` from the page that is not the text its job asked for."""


def checked_steps(result, asked: dict, vocabulary: list, top: int = TOP_CHOICES) -> tuple[list, float]:
    """The steps of a `result` the page sent for the job `asked`, and its seconds (0: not known),
    or ResultError with a sentence. A browser may send anything: at most one step per uniform the
    job carried, ids inside the vocabulary, probabilities finite in [0, 1], at most `top` likeliest
    characters a step; checked before anything is built from it. Unknown keys are ignored."""
    if not isinstance(result, dict):
        raise ResultError("it is not a record of steps")
    columns = [result.get(name) for name in ("ids", "probabilities", "topIds", "topProbabilities")]
    if not all(isinstance(column, list) for column in columns) or len({len(c) for c in columns}) != 1:
        raise ResultError("its steps are missing or of unequal lengths")
    ids, probabilities, top_ids, top_probabilities = columns
    if len(ids) > len(asked["uniforms"]):
        raise ResultError(f"it holds {len(ids):,} characters where {len(asked['uniforms']):,} were asked for")
    size = len(vocabulary)
    steps = []
    for char_id, probability, likeliest, their in zip(ids, probabilities, top_ids, top_probabilities):
        if not _whole(char_id, size) or not _probability(probability):
            raise ResultError("a character or its probability is not one the model could give")
        if not isinstance(likeliest, list) or not isinstance(their, list) or len(likeliest) != len(their):
            raise ResultError("a step's likeliest characters are not a list with their probabilities")
        if len(likeliest) > top or not all(_whole(i, size) for i in likeliest) or not all(map(_probability, their)):
            raise ResultError("a step's likeliest characters are not ones the model could give")
        steps.append(Step(vocabulary[char_id], float(probability), np.array(likeliest, int), np.array(their, float)))
    seconds = result.get("seconds")
    seconds = float(seconds) if _number(seconds) and MIN_SECONDS <= seconds <= MAX_SECONDS else 0.0
    return steps, seconds


MIN_SECONDS, MAX_SECONDS = 1e-3, 3_600.0  # a writing time outside these says no speed


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value, size: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def _probability(value) -> bool:
    return _number(value) and 0.0 <= value <= 1.0


def _on_result(model: CharModel) -> None:
    state = st.session_state.get(KEY)
    result = state.get("result") if isinstance(state, dict) else None
    kept = page_state()
    asked = kept.job
    if not asked or not isinstance(result, dict) or result.get("run") != asked["run"]:
        return  # an older text than the one asked for last, or nothing to read
    kept.job = None
    try:
        kept.steps, seconds = checked_steps(result, asked, list(model.vocabulary.chars))
    except ResultError as error:
        kept.steps, kept.result_problem = None, f"The text your browser sent back could not be used: {error}."
        return
    prompt, options = asked["for"]
    kept.generated_for = (prompt, tuple(tuple(item) for item in options))
    kept.speed = len(kept.steps) / seconds if seconds else 0.0
    kept.fresh_speed = True
    st.query_params[WRITTEN_PARAM] = "1"
