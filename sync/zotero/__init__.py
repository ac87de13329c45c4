"""Zotero: the only package that imports pyzotero.

- :mod:`.client`: :class:`ZoteroClient`, reads and batched writes, our dataclasses out
- :mod:`.transport`: retries, Retry-After/Backoff, request counting (under pyzotero)
- :mod:`.mapping`: paper -> the objects Zotero's arXiv translator saves; item -> ``LibraryItem``
- :mod:`.schema`: validation against Zotero's bundled schema
- :mod:`.keys`: deterministic object keys (exactly-once saving)
- :mod:`.names`: author strings -> firstName/lastName
"""

from .client import MAX_WRITE_BATCH, Deleted, KeyInfo, Versions, WriteResult, ZoteroClient

__all__ = ["MAX_WRITE_BATCH", "Deleted", "KeyInfo", "Versions", "WriteResult", "ZoteroClient"]
