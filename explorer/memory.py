"""Keep the app process's memory down on a small host: give freed memory back after each run.

Streamlit runs every session's script in its own thread, and glibc gives busy threads their own
malloc arenas, each keeping the memory it once held: a page that builds a large figure or sprite
leaves tens of megabytes that no one uses but the process still holds. `malloc_trim(0)` returns
the free pages of every arena to the system; the entry file calls it after each page run. It takes
a few milliseconds. (MALLOC_ARENA_MAX=2 in the environment does better still, but Community Cloud
starts Python before any of our code can set it, and glibc reads the limit only once.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return None


def release_free_memory() -> bool:
    """Give the free pages of glibc's heaps back to the system; False where there is no glibc."""
    trim = getattr(_libc(), "malloc_trim", None)
    return bool(trim(0)) if trim is not None else False
