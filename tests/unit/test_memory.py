"""Giving freed memory back: after a large allocation is freed, trimming lowers the resident size."""

import os
import sys
import threading

import pytest

from explorer.memory import release_free_memory
from tools.processes import peak_memory_mb


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_release_free_memory_returns_freed_heap_pages_to_the_system():
    chunks = [bytearray(64 * 1024) for _ in range(3000)]  # ~190 MB in small heap blocks (below mmap's threshold)
    del chunks[::2]  # every other one freed: holes no single trim at the top reaches
    before = peak_memory_mb(os.getpid(), "VmRSS")
    assert release_free_memory()
    after = peak_memory_mb(os.getpid(), "VmRSS")
    assert before - after > 50, f"only {before - after:.0f} MB went back"
    del chunks


def test_the_collector_frees_what_only_a_full_collection_frees():
    """A closed session's state sits in reference cycles; with postScriptGC off nothing freed it."""
    import gc
    import weakref

    from explorer.memory import Collector

    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: reference counting alone never frees it
    gone = weakref.ref(node)
    gc.collect()  # it survives into the oldest generation, as a session's state does
    del node
    collector = Collector(seconds=0.05).start()
    try:
        for _ in range(100):
            if gone() is None:
                break
            threading.Event().wait(0.02)
    finally:
        collector.stop()
    assert gone() is None and collector.collections >= 1


ARENAS_IN_A_BUSY_PROCESS = """
import ctypes, ctypes.util, sys, tempfile, threading
from explorer.memory import limit_malloc_arenas
if sys.argv[1] == "limited":
    assert limit_malloc_arenas(2)
def busy():
    for _ in range(200):
        blocks = [bytearray(2048) for _ in range(500)]
        del blocks
threads = [threading.Thread(target=busy) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(open(out.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
def test_after_the_limit_busy_threads_share_two_malloc_arenas():
    """Each Streamlit session's script thread had an arena of its own, each keeping what it once held."""
    import subprocess

    from tests.support.data import ROOT

    def arenas(mode):
        command = [sys.executable, "-c", ARENAS_IN_A_BUSY_PROCESS, mode]
        return int(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)

    assert arenas("free") > 2  # eight threads allocating at once get arenas of their own
    assert arenas("limited") <= 2
