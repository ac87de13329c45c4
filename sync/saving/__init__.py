"""Saving accepted papers into Zotero: exactly once, and never lost.

An accept is first written to the outbox (the store), then pushed. A push sends
each paper's objects (see :mod:`sync.zotero.mapping`) under deterministic keys
with ``version: 0``; the API creates an object only when absent and fails it with
412 otherwise, so a retry after a lost answer, a second click or a concurrent
save all end with one item. Papers already in the library by other means are
recognised from the synced index (arXiv id, DOI, url) and not written again.
A 412 on our own key means the item exists, possibly in the Zotero trash: a
trashed item is restored (its ``deleted`` flag cleared, with its current version,
and this save's tags and collection added), since that is what clicking Save asks.
Failures (network, 429, 5xx) leave the entry queued with the reason and a
backoff; ``paperfeed sync`` and the next save push it again.

One module per job:

- :mod:`.status`: the per-paper save result and a push's summary; feedback recorded for a save;
- :mod:`.metadata`: the paper to save (store, else arXiv) and its BibTeX;
- :mod:`.accept`: record an accept into the outbox (and push it);
- :mod:`.push`: push the outbox to Zotero.
"""
