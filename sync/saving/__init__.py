"""Saving accepted papers into Zotero: exactly once, and never lost.

An accept is first written to the outbox (the store), then pushed. A push sends
each paper's objects (see :mod:`sync.zotero.mapping`) under deterministic keys
with ``version: 0``; the API creates an object only when absent and fails it with
412 otherwise, so a retry after a lost answer, a second click or a concurrent
save all end with one item. Papers already in the library by other means are
recognised (arXiv id in every form, DOI, url) against the library as Zotero has it at
the push: writes are conditional on the index's version, and a changed library is
pulled before anything is written.
A 412 on our own key means the item exists, possibly in the Zotero trash: a
trashed item is restored (its ``deleted`` flag cleared, with its current version,
and this save's tags and collection added), since that is what clicking Save asks.
Failures (network, 429, 5xx) leave the entry queued with the reason and a
backoff; the pusher, ``paperfeed sync`` and the daily cycle push it again.

One module per job:

- :mod:`.status`: the per-paper save result and a push's summary; feedback recorded for a save;
- :mod:`.metadata`: the paper to save (store, else arXiv) and its BibTeX;
- :mod:`.accept`: record an accept into the outbox (``paperfeed save`` then pushes it itself);
- :mod:`.push`: push the outbox to Zotero (conditional writes, dedupe against the library as
  Zotero has it, lost replies, refused children, the PDF);
- :mod:`.pusher`: the one background pusher of ``paperfeed serve``; API saves wait for it a
  moment at most, so no request thread waits on Zotero.
"""
