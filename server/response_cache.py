"""Rendered bodies of hot GET routes, reused while the store has not changed.

The popup asks for the same page again and again between daily cycles; rebuilding it
costs a few milliseconds of SQL and JSON for an answer that is byte-for-byte the same.
Entries are keyed by the store's change marker (see ``StoreBase.change_marker``) and the
request, so any commit, from this process or another, makes the next request rebuild.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Hashable


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str


class ResponseCache:
    def __init__(self, max_entries: int = 128):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Rendered | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def put(self, key: Hashable, body: bytes) -> Rendered:
        entry = Rendered(body, hashlib.sha1(body).hexdigest())
        with self._lock:
            self.misses += 1
            self._entries[key] = entry
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry
