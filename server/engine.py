"""The one place the server calls into the other parts of ``sync``.

Views call these functions, never ``sync`` internals, so each contract name
(docs/architecture.md) is used exactly once here. A part that is missing from
this build (an optional module not installed, a store without the Zotero index)
becomes a clear 503 ``not_available`` instead of an AttributeError.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterable

from sync.models import FetchOutcome, Paper, RankedPaper
from sync.settings import Config

from .errors import ApiError
from .present import LibraryView


def _unavailable(what: str) -> ApiError:
    return ApiError(503, "not_available", f"{what} is not available in this build of paperfeed")


def _store_method(store: Any, name: str) -> Callable:
    method = getattr(store, name, None)
    if method is None:
        raise _unavailable(f"store.{name}")
    return method


def _function(module: str, name: str) -> Callable:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise _unavailable(f"{module}.{name}") from exc


# --- ranking ----------------------------------------------------------------------------------
def latest_ranking_date(store: Any) -> date | None:
    method = getattr(store, "latest_ranking_date", None)
    return method() if method else None


def ranked_papers(store: Any, day: date | None, *, min_score: float | None = None, status: str | None = None,
                  limit: int = 100, offset: int = 0) -> list[RankedPaper]:
    return _store_method(store, "ranked_papers")(day, min_score=min_score, status=status, limit=limit,
                                                 offset=offset)


def count_ranked(store: Any, day: date | None, *, min_score: float | None = None, status: str | None = None) -> int:
    return _store_method(store, "count_ranked")(day, min_score=min_score, status=status)


def set_feedback(store: Any, arxiv_id: str, action: str) -> None:
    _store_method(store, "set_feedback")(arxiv_id, action)


def clear_feedback(store: Any, arxiv_id: str) -> None:
    _store_method(store, "clear_feedback")(arxiv_id)


def ranked_match(store: Any, arxiv_id: str) -> RankedPaper | None:
    """The paper's newest ranking, if it was ranked on the newest ranked day."""
    day = latest_ranking_date(store)
    if day is None:
        return None
    for ranked in all_ranked(store, day):
        if ranked.paper.arxiv_id == arxiv_id:
            return ranked
    return None


def all_ranked(store: Any, day: date, *, min_score: float | None = None) -> list[RankedPaper]:
    """Every ranked paper of ``day`` (paged through the store, 500 at a time)."""
    found: list[RankedPaper] = []
    while True:
        page = ranked_papers(store, day, min_score=min_score, limit=500, offset=len(found))
        found.extend(page)
        if len(page) < 500:
            return found


# --- library ----------------------------------------------------------------------------------
def library_view(store: Any, arxiv_ids: Iterable[str]) -> LibraryView:
    ids = list(arxiv_ids)
    match = getattr(store, "library_match", None)
    keys = match(ids) if (match and ids) else {}
    names = {c["key"]: c["name"] for c in collections(store)}
    return LibraryView(item_keys=keys, collection_names=names)


def collections(store: Any) -> list[dict[str, Any]]:
    method = getattr(store, "library_collections", None)
    if method is None:
        return []
    return sorted(
        ({"key": _field(c, "key"), "name": _field(c, "name"),
          "parent": _field(c, "parent_key", "parent") or None} for c in method()),
        key=lambda c: (c["name"].lower(), c["key"]),
    )


def tags(store: Any) -> list[dict[str, Any]]:
    """Tags of the synced library with their item counts, most used first."""
    method = getattr(store, "library_tags", None)
    if method is None:
        return []
    raw = method()
    if isinstance(raw, list) and all(isinstance(t, str) for t in raw):
        return _counted(raw, store)
    entries = raw.items() if isinstance(raw, dict) else raw
    items = []
    for entry in entries:
        if isinstance(entry, str):
            items.append({"tag": entry, "count": 0})
        elif isinstance(entry, (tuple, list)):
            items.append({"tag": str(entry[0]), "count": int(entry[1]) if len(entry) > 1 else 0})
        else:
            items.append({"tag": str(_field(entry, "tag", "name")), "count": int(_field(entry, "count") or 0)})
    return sorted(items, key=lambda t: (-t["count"], t["tag"].lower()))


def _counted(names: list[str], store: Any) -> list[dict[str, Any]]:
    """Counts for a store that lists tag names only (already most used first)."""
    counts: Counter[str] = Counter()
    for item in getattr(store, "library_items", lambda: [])():
        counts.update(set(item.tags))
    return [{"tag": name, "count": counts.get(name, 0)} for name in names]


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


# --- papers -----------------------------------------------------------------------------------
def paper(store: Any, config: Config, arxiv_id: str) -> Paper | None:
    """The stored paper, else its metadata from arXiv (then stored); None when arXiv has no such id."""
    found = store.get_paper(arxiv_id)
    if found is not None:
        return found
    source_cls = _function("sync.arxiv_source", "ArxivSource")
    fetched = [p for p in source_cls(config).papers_by_id([arxiv_id]) if p.arxiv_id == arxiv_id]
    if not fetched:
        return None
    looked_up = replace(fetched[0], announce_date=None, announce_type=None)
    store.remember_papers([looked_up])
    return store.get_paper(arxiv_id) or looked_up


def bibtex(store: Any, paper: Paper) -> str:
    """The entry with the paper's stable citation key, the same one its Zotero item gets.

    Assigning that key on first use is the one bookkeeping write a GET may cause.
    """
    try:
        paper_bibtex = _function("sync.saving", "paper_bibtex")
    except ApiError:
        return _function("sync.bibtex", "bibtex_entry")(paper)
    return paper_bibtex(store, paper)


def save(store: Any, config: Config, arxiv_id: str, *, tags: list[str] | None, collection: str | None,
         note: str | None) -> Any:
    return _function("sync.saving", "save_paper")(store, config, arxiv_id,
                                                   tags=None if tags is None else tuple(tags),
                                                   collection=collection, note=note)


# --- health -----------------------------------------------------------------------------------
def run_info(run: Any) -> dict[str, Any] | None:
    """``{"at", "outcome", "message"}`` of any of the parts' run records (fetch, rank, sync)."""
    if run is None:
        return None
    at = _field(run, "finished_at", "at", "synced_at", "last_synced_at", "started_at")
    outcome = _field(run, "outcome", "status", "result")
    if outcome is None and _field(run, "in_progress"):
        outcome = "interrupted"
    message = _field(run, "message", "summary", "last_result") or ""
    if isinstance(outcome, FetchOutcome) or hasattr(outcome, "value"):
        outcome = outcome.value
    return {"at": at.isoformat() if hasattr(at, "isoformat") else at,
            "outcome": str(outcome) if outcome is not None else "ok",
            "message": str(message)}


def last_rank_run(store: Any) -> Any:
    method = getattr(store, "last_rank_run", None)
    return method() if method else None


def last_library_sync(store: Any) -> Any:
    method = getattr(store, "last_library_sync", None)
    return method() if method else None


# --- daily cycle and reports ------------------------------------------------------------------
def cycle_runner() -> Callable:
    """``sync.cycle.run_cycle`` (checked before a background run is started)."""
    return _function("sync.cycle", "run_cycle")


def render_report(store: Any, config: Config, *, day: date | None, week: bool, fmt: str) -> str:
    return _function("sync.reports", "render_report")(store, config, day=day, week=week, fmt=fmt)


def render_atom(store: Any, config: Config, *, feed_url: str) -> str:
    return _function("sync.reports", "render_atom")(store, config, feed_url=feed_url)
