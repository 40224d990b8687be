"""What a process tree uses: memory, CPU time, and samplers of both (psutil, and /proc for the peak).

The bench, the deploy check and the load test measure the app's server (and the projection
worker it may start) with these.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil


def peak_memory_mb(pid: int, field: str = "VmHWM") -> float:
    """A process's peak resident memory (VmHWM, which psutil does not read), or its current one (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def process_tree(pid: int | list[int]) -> list[psutil.Process]:
    """`pid` (or each of several: the processes behind a balancer) and every process below it
    (projection workers, if the app starts any)."""
    tree = []
    for root in map(psutil.Process, [pid] if isinstance(pid, int) else pid):
        tree += [root, *root.children(recursive=True)]
    return tree


def resident_mb(pid: int | list[int]) -> float:
    """Resident memory of `pid` and its descendants."""
    total = 0.0
    for member in process_tree(pid):
        try:
            total += member.memory_info().rss / 2**20
        except psutil.Error:  # it ended between listing and reading
            pass
    return total


def cpu_seconds(pid: int | list[int]) -> float:
    """CPU time (user + system) used so far by `pid` and its descendants."""
    total = 0.0
    for member in process_tree(pid):
        try:
            times = member.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def machine_busy_seconds() -> float:
    """CPU time every core of the machine has spent busy since boot."""
    times = psutil.cpu_times()
    return (
        sum(times)
        - times.idle
        - getattr(times, "iowait", 0.0)
        - getattr(times, "guest", 0.0)
        - getattr(times, "guest_nice", 0.0)
    )


class CpuMeter:
    """Cores kept busy, on average since it was made, by the server, this client and everything else.

    Other work on the machine takes cores from the server: the latencies are only as clean as this.
    """

    def __init__(self, pid: int | list[int] | None):
        self.pid = pid
        self.start = self._read()

    def _read(self) -> tuple:
        return (
            time.monotonic(),
            cpu_seconds(self.pid) if self.pid else float("nan"),
            time.process_time(),
            machine_busy_seconds(),
        )

    def cores(self) -> dict:
        elapsed, server, client, machine = (now - then for now, then in zip(self._read(), self.start))
        return {
            "server": server / elapsed,
            "load_client": client / elapsed,
            "everything_else": max(machine - server - client, 0.0) / elapsed,
            "of": psutil.cpu_count(),
        }


class MemorySampler:
    """The resident memory of a process tree, sampled in a thread."""

    def __init__(self, pid: int | list[int], interval: float = 0.5):  # s between samples
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def now(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.samples.append((self.now(), resident_mb(self.pid)))
            self._stop.wait(self.interval)

    def at(self, seconds: float) -> float:
        """The first sample taken at or after `seconds` (the last one if none was)."""
        return next((mb for t, mb in self.samples if t >= seconds), self.samples[-1][1])

    def summary(self, load_started: float, warm: float | None) -> dict:
        values = [mb for _, mb in self.samples]
        summary = {
            "start_mb": values[0],
            "load_start_mb": self.at(load_started),
            "peak_mb": max(values),
            "end_mb": values[-1],
            "interval_s": self.interval,
            "series": [(round(t - load_started, 1), round(mb, 1)) for t, mb in self.samples],
        }
        after = [(t, mb) for t, mb in self.samples if warm is not None and t >= load_started + warm]
        if len(after) >= 3:
            # Memory rises and falls with every page built; growth compares the mean of the first and
            # of the last third after warm-up, not two single samples.
            third = len(after) // 3
            first, last = [mb for _, mb in after[:third]], [mb for _, mb in after[-third:]]
            summary.update(
                warm_at_s=warm,
                warm_mb=sum(first) / third,
                end_mean_mb=sum(last) / third,
                peak_after_warmup_mb=max(mb for _, mb in after),
                growth_after_warmup_mb=(sum(last) - sum(first)) / third,
                slope_after_warmup_mb_per_min=_slope(after) * 60,
            )
        return summary


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per second."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_mb = sum(mb for _, mb in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (mb - mean_mb) for t, mb in points) / spread if spread else 0.0
