"""Keep the app process's memory down on a small host: give freed memory back after each run, and
collect what closed sessions left in reference cycles.

Streamlit runs every session's script in its own thread, and glibc gives busy threads their own
malloc arenas, each keeping the memory it once held: a page that builds a large figure or sprite
leaves tens of megabytes that no one uses but the process still holds. `malloc_trim(0)` returns
the free pages of every arena to the system; app.py calls it after each page run. Fewer arenas do better
still: MALLOC_ARENA_MAX=2 in the environment cannot be set on Community Cloud, but the same limit
set from Python (`mallopt`) as the entry file is imported holds for every thread made after it:
thirty sessions of the load test peaked at 424 MB instead of 541, at the same latencies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from functools import cache

COLLECT_EVERY = 30.0  # seconds between full collections (see Collector)


@cache
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return None


M_ARENA_MAX = -8  # glibc's mallopt parameter: the most malloc arenas the process may make
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Let glibc make at most `count` malloc arenas from now on (threads then share them); False where
    there is no glibc. Called as the entry file is imported, before the sessions' script threads."""
    mallopt = getattr(_libc(), "mallopt", None)
    return bool(mallopt(M_ARENA_MAX, count)) if mallopt is not None else False


def release_free_memory() -> bool:
    """Give the free pages of glibc's heaps back to the system; False where there is no glibc."""
    trim = getattr(_libc(), "malloc_trim", None)
    return bool(trim(0)) if trim is not None else False


class Collector:
    """A full garbage collection every `seconds`, on a thread of its own.

    `runner.postScriptGC = false` (.streamlit/config.toml) spares each script run the ~40 ms of a
    full collection, but a closed session's state sits in reference cycles that only a full one
    frees: without this, 24 MB of junk a browser put in a state value held 600 MB for good. On a
    timer it costs one pause of tens of milliseconds every half minute, whatever the traffic."""

    def __init__(self, seconds: float = COLLECT_EVERY):
        self.seconds = seconds
        self.collections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="collector")

    def start(self) -> Collector:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            gc.collect()
            release_free_memory()
            self.collections += 1
