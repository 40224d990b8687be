"""The one small LRU mapping the app uses where Streamlit's caches do not fit (shared, locked, bounded)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class LRU:
    """At most `size` entries; reading or writing one makes it the newest, and the oldest goes first.

    Safe to share between threads (Streamlit runs each session in its own).
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def __setitem__(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
