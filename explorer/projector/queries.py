"""Text queries over a data set's labels (the custom axes' "from sad to happy", and the page's search):
a case-insensitive substring, or a regular expression with a time limit."""

from __future__ import annotations

import time

import numpy as np

REGEX_SECONDS = 0.5  # time limit for matching a regular expression against all distinct values


def query_mask(values: np.ndarray, query: str, regex: bool = False) -> np.ndarray:
    """Which `values` (N,) match `query`: a case-insensitive substring, or a regular expression.

    Each distinct value is matched once. A regular expression comes from a person or a link, so it
    runs with the `regex` module's time limit (REGEX_SECONDS in all): a pattern that backtracks for ever gets a sentence
    instead of holding a core.
    """
    values = np.asarray(values).reshape(-1)
    distinct, inverse = np.unique(values if values.dtype.kind == "O" else values.astype(str), return_inverse=True)
    if not regex:
        needle = query.casefold()
        return np.array([needle in text.casefold() for text in distinct], dtype=bool)[inverse]
    import regex as safe_re

    try:
        pattern = safe_re.compile(query, safe_re.IGNORECASE)
        deadline = time.monotonic() + REGEX_SECONDS
        matches = np.array(
            [pattern.search(text, timeout=max(1e-3, deadline - time.monotonic())) is not None for text in distinct],
            bool,
        )
    except safe_re.error as error:
        raise ValueError(f"“{query}” is not a valid regular expression: {error}.") from None
    except TimeoutError:
        raise ValueError(
            f"“{query}” takes too long to match (over {REGEX_SECONDS:g} s): "
            "simplify the regular expression, or search as plain text."
        ) from None
    return matches[inverse]
