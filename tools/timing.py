"""Median and p95 of a list of timings: the one summary every benchmark and the load test print."""

from __future__ import annotations

import time

import numpy as np


def summarize(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1000
    return {"median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95)), "runs": len(ms)}


def time_calls(function, repeats: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        function()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - started)
    return summarize(seconds)
