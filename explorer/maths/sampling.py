"""Characters in, characters out: the char-RNN's vocabulary and its sampling maths, in numpy.

The model steps one character at a time, (character, state) -> (next-character logits, state),
and the caller owns the loop (as in TensorFlow's text-generation tutorial); this module turns
logits into a choice: temperature, then top-k, then top-p (nucleus), then a seeded draw.
No TensorFlow, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_PROMPT = 500  # characters of a prompt the model is given; longer prompts keep their end


@dataclass
class Vocabulary:
    chars: str  # every character the model knows, in id order

    def __post_init__(self):
        self.index = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        return np.fromiter((self.index[c] for c in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


@dataclass
class CleanPrompt:
    text: str  # what the model will read
    dropped: str  # distinct characters outside the vocabulary that were removed
    cut: int  # characters cut from the start of a too-long prompt


def clean_prompt(prompt: str, vocabulary: Vocabulary, limit: int = MAX_PROMPT) -> CleanPrompt:
    """Keep the characters the model knows; an empty prompt starts from a new line."""
    unknown = sorted({c for c in prompt if c not in vocabulary.index})
    text = "".join(c for c in prompt if c in vocabulary.index)
    cut = max(0, len(text) - limit)
    text = text[cut:]
    if not text:
        text = "\n" if "\n" in vocabulary.index else vocabulary.chars[0]
    return CleanPrompt(text, "".join(unknown), cut)


def shifted_pairs(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """How the char-RNN is trained: the text cut into sequences of `seq_len` characters (inputs)
    and the same shifted by one (targets), so the model learns each next character: "Machin" ->
    "achine". (count, seq_len) each; what does not fill a last sequence is left out."""
    ids = np.asarray(ids)
    if seq_len < 1:
        raise ValueError("A sequence holds at least one character.")
    count = max(0, (len(ids) - 1) // seq_len)
    windows = ids[: count * seq_len + 1]
    return windows[:-1].reshape(count, seq_len), windows[1:].reshape(count, seq_len)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.asarray(logits, dtype=np.float64) - np.max(logits)
    weights = np.exp(shifted)
    return weights / weights.sum()


# Below this the tempered logits overflow (a link's temperature=5e-324 wrote "}}}}…"); the draw is
# then the likeliest character, as at 0. web/components/live_text.js uses the same number.
ARGMAX_TEMPERATURE = 1e-3


def next_char_distribution(
    logits: np.ndarray, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0
) -> np.ndarray:
    """Probabilities to draw the next character from.

    temperature < 1 sharpens (more predictable), > 1 flattens (more surprising); below
    ARGMAX_TEMPERATURE (0 included) it is the arg-max.
    top_k > 0 keeps only the k likeliest characters; top_p < 1 keeps the fewest likeliest whose
    probabilities add up to at least p. Both act on the tempered distribution, which is renormalised.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if not temperature >= ARGMAX_TEMPERATURE:  # NaN too
        probabilities = np.zeros_like(logits)
        probabilities[np.argmax(logits)] = 1.0
        return probabilities
    probabilities = softmax(logits / temperature)
    order = np.argsort(-probabilities, kind="stable")
    keep = np.ones(len(logits), bool)
    if 0 < top_k < len(logits):
        keep[order[top_k:]] = False
    if top_p < 1.0:
        cumulative = np.cumsum(probabilities[order])
        cutoff = int(np.searchsorted(cumulative, top_p - 1e-9)) + 1  # the first index where the sum reaches p
        keep[order[cutoff:]] = False
    probabilities = np.where(keep, probabilities, 0.0)
    return probabilities / probabilities.sum()


def sample_next(
    logits: np.ndarray, rng: np.random.Generator, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0
) -> int:
    """One seeded draw by the inverse CDF: a character of probability 0 is never drawn."""
    cumulative = np.cumsum(next_char_distribution(logits, temperature, top_k, top_p))
    return int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"), len(cumulative) - 1))
