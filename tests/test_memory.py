"""Giving freed memory back: after a large allocation is freed, trimming lowers the resident size."""

import os
import sys

import pytest

from explorer.memory import release_free_memory
from explorer.tooling.processes import peak_memory_mb


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_release_free_memory_returns_freed_heap_pages_to_the_system():
    chunks = [bytearray(64 * 1024) for _ in range(3000)]  # ~190 MB in small heap blocks (below mmap's threshold)
    del chunks[::2]  # every other one freed: holes no single trim at the top reaches
    before = peak_memory_mb(os.getpid(), "VmRSS")
    assert release_free_memory()
    after = peak_memory_mb(os.getpid(), "VmRSS")
    assert before - after > 50, f"only {before - after:.0f} MB went back"
    del chunks
