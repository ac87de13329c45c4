"""Deterministic Zotero object keys: the heart of "exactly once".

A key is derived from (library, arXiv id, role), so every attempt to save a paper,
from any process, proposes the same key. Sent with ``"version": 0`` the API
creates it only when absent and answers 412 for that object otherwise.
"""

from __future__ import annotations

import hashlib

KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"  # Zotero's key alphabet (no 0, 1, O)


def derived_key(*parts: str) -> str:
    digest = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest(), "big")
    chars = []
    for _ in range(8):
        digest, index = divmod(digest, len(KEY_ALPHABET))
        chars.append(KEY_ALPHABET[index])
    return "".join(chars)


def item_key(library: str, arxiv_id: str, role: str = "item") -> str:
    """Key of a paper's item (``role`` "item") or of one of its children ("note:comment", "attachment:pdf", ...)."""
    return derived_key("paperfeed", library, arxiv_id, role)


def collection_key(library: str, name: str) -> str:
    return derived_key("paperfeed", library, "collection", name.strip().casefold())
