"""The Text page writing in the browser (web/components/live_text.js): the GRU step in LiteRT.js,
the sampling in the page, the text streamed at the browser's pace.

A click on Generate makes a job: the prompt's ids, the settings, and the uniform random numbers the
server's own path draws for that seed (`np.random.default_rng(seed).random(length)`), so the page
writes the same text the server would. When the page has written it, every step comes back once
(`result`) and becomes the session's `steps`, as if the server had written them: the probability
view, the comparison and the download work alike.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from explorer.serving.models import CharModel
from explorer.serving.routes import model_url
from explorer.serving.text_generation import TOP_CHOICES, Step
from explorer.ui import live
from explorer.ui.text import OUTPUT_PLACEHOLDER, WRITTEN_PARAM, generated_text, memory

KEY = "live_text"


def live_writer(model: CharModel, prompt: str, options: dict, go: bool) -> None:
    """The output box, written in the browser; `go` (a click on Generate) starts a new text, and so
    does a link to a written text when nothing is written yet."""
    kept = memory()
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


def _on_result(model: CharModel) -> None:
    result = (st.session_state.get(KEY) or {}).get("result") or {}
    kept = memory()
    asked = kept.job
    if not asked or result.get("run") != asked["run"]:
        return  # an older text than the one asked for last
    chars = model.vocabulary.chars
    kept.steps = [
        Step(chars[int(i)], float(p), np.asarray(top, int), np.asarray(top_p, float))
        for i, p, top, top_p in zip(
            result["ids"], result["probabilities"], result["topIds"], result["topProbabilities"]
        )
    ]
    prompt, options = asked["for"]
    kept.generated_for = (prompt, tuple(tuple(item) for item in options))
    seconds = float(result.get("seconds") or 0)
    kept.speed = len(result["ids"]) / seconds if seconds > 0 else 0.0
    kept.fresh_speed = True
    st.query_params[WRITTEN_PARAM] = "1"
    kept.job = None
