"""Generate text with a served char-RNN, one character at a time, for streaming to a page.

Each step records what the model believed (its untempered distribution) as well as what was
drawn, so the page can colour the text by probability and show the likeliest next characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from explorer.maths.sampling import sample_next, softmax

TOP_CHOICES = 10  # likeliest next characters kept for each generated position


@dataclass
class Step:
    char: str  # the character drawn
    probability: float  # the model's probability for it (temperature 1, before top-k/top-p)
    top_ids: np.ndarray  # (TOP_CHOICES,) the likeliest characters at this position
    top_probabilities: np.ndarray


def generate(
    model, prompt: str, length: int, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0, seed: int = 0
) -> Iterator[Step]:
    """Characters following `prompt` (already cleaned to the model's vocabulary), one `Step` at a time."""
    rng = np.random.default_rng(seed)
    logits, state = model.read(prompt)
    for _ in range(max(0, length)):
        char_id = sample_next(logits, rng, temperature, top_k, top_p)
        believed = softmax(logits)
        top = np.argsort(-believed, kind="stable")[:TOP_CHOICES]
        yield Step(model.vocabulary.chars[char_id], float(believed[char_id]), top, believed[top])
        step_logits, state = model.step(np.array([char_id]), state)
        logits = step_logits[0]


def next_char_log_probabilities(model, ids: np.ndarray) -> np.ndarray:
    """log p(ids[t + 1] | ids[: t + 1]) for each t, the state carried from the first character:
    how well the model predicts each target of the shifted pairs it was trained on. (len(ids) - 1,)"""
    state = model.initial_state()
    scores = np.zeros(max(0, len(ids) - 1))
    for t, (current, following) in enumerate(zip(ids[:-1], ids[1:])):
        logits, state = model.step(np.array([current]), state)
        shifted = logits[0] - logits[0].max()
        scores[t] = shifted[following] - np.log(np.exp(shifted).sum())
    return scores


def heldout_loss(model, ids: np.ndarray) -> dict:
    """Mean negative log-likelihood of each next character, state carried from the first: nats and bits."""
    nats = -float(next_char_log_probabilities(model, ids).sum()) / max(1, len(ids) - 1)
    return {"nats_per_char": nats, "bits_per_char": nats / np.log(2), "characters": int(len(ids) - 1)}
