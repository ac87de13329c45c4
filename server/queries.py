"""Store reads that several views share: a day's matches by display status, the library lookups.

Views call the store and ``sync`` directly; what is here is the server's own logic on top
(the "in_library" status is the server's, not the store's: it needs the Zotero index).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Iterable

from sync.models import RankedPaper
from sync.sample import sample_collections
from sync.saving.status import save_state
from sync.store import Store

from .present import LibraryView, matches_json

_PAGE = 500
_FEEDBACK_STATUSES = ("saved", "dismissed")


def all_ranked(store: Store, day: date, *, min_score: float | None = None,
               status: str | None = None) -> list[RankedPaper]:
    """Every ranked paper of ``day`` matching the store-level filter, best first."""
    found: list[RankedPaper] = []
    while True:
        page = store.ranked_papers(day, min_score=min_score, status=status, limit=_PAGE, offset=len(found))
        found.extend(page)
        if len(page) < _PAGE:
            return found


def library_view(store: Store, ranked: Iterable[RankedPaper], extra_ids: Iterable[str] = ()) -> LibraryView:
    """Zotero item keys of the given papers, and the names of the collections they suggest.

    Three queries whatever the page size: one ``library_match`` and one outbox lookup (the
    save records) for every id, and the collection names only when some paper suggests a
    collection or was saved into one.
    """
    ranked = list(ranked)
    ids = list(dict.fromkeys([*extra_ids, *(r.paper.arxiv_id for r in ranked)]))
    keys = store.library_match(ids) if ids else {}
    entries = store.outbox_entries_for(ids) if ids else {}
    names: dict[str, str] = {}
    if any(r.collection for r in ranked) or any(e.collection for e in entries.values()):
        # The bundled sample library's collections are named too (no Zotero account to name them).
        names = {c.key: c.name for c in sample_collections()}
        names.update({c.key: c.name for c in store.library_collections()})
    return LibraryView(item_keys=keys, collection_names=names,
                       saves={aid: save_state(entry, names) for aid, entry in entries.items()})


def matches_page(store: Store, day: date, *, min_score: float | None, status: str | None, limit: int,
                 offset: int) -> tuple[int, list[dict[str, Any]]]:
    """(total, one page of Match JSON) of ``day`` for the API's display ``status``.

    "saved"/"dismissed" are the user's decision and "new" in the store means "no decision",
    so those filter and page in SQL; "new" and "in_library" of the API split the undecided
    papers by the Zotero index, so they are decided here and then paged.
    """
    if status is None or status in _FEEDBACK_STATUSES:
        total = store.count_ranked(day, min_score=min_score, status=status)
        page = store.ranked_papers(day, min_score=min_score, status=status, limit=limit, offset=offset)
        return total, matches_json(page, library_view(store, page))
    undecided = all_ranked(store, day, min_score=min_score, status="new")
    in_library = store.library_match([r.paper.arxiv_id for r in undecided]) if undecided else {}
    wanted = [r for r in undecided if (r.paper.arxiv_id in in_library) == (status == "in_library")]
    page = wanted[offset:offset + limit]
    return len(wanted), matches_json(page, library_view(store, page))


def collections(store: Store) -> list[dict[str, Any]]:
    """The synced library's collections by name (the store orders them)."""
    return [{"key": c.key, "name": c.name, "parent": c.parent_key} for c in store.library_collections()]


def tags(store: Store) -> list[dict[str, Any]]:
    """Tags of the synced library with how many items carry each, most used first."""
    counts: Counter[str] = Counter()
    for item in store.library_items():
        counts.update(set(item.tags))
    return [{"tag": tag, "count": n} for tag, n in sorted(counts.items(), key=lambda t: (-t[1], t[0].lower()))]
