"""Our dataclasses -> the JSON shapes of the API (pure; no store, no Flask).

These shapes are what the extension relies on; their schemas are in
``server/schemas.py`` and their examples in docs/api.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from sync.models import Paper, RankedPaper
from sync.saving.status import SaveState

ABS_URL = "https://arxiv.org/abs/{}"
PDF_URL = "https://arxiv.org/pdf/{}"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def paper_json(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "categories": list(paper.categories),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "published": _iso(paper.published),
        "updated": _iso(paper.updated),
        "announce_date": _iso(paper.announce_date),
        "announce_type": paper.announce_type.value if paper.announce_type else None,
        "abs_url": ABS_URL.format(paper.arxiv_id),
        "pdf_url": PDF_URL.format(paper.arxiv_id),
    }


@dataclass(frozen=True)
class LibraryView:
    """What the popup needs to know about the user's library, looked up once per request."""

    item_keys: Mapping[str, str]  # arxiv id -> Zotero item key
    collection_names: Mapping[str, str]  # collection key -> name
    saves: Mapping[str, SaveState] = None  # type: ignore[assignment]  # arxiv id -> save record

    def item_key(self, arxiv_id: str) -> str | None:
        return self.item_keys.get(arxiv_id)

    def save(self, arxiv_id: str) -> dict[str, Any] | None:
        state = (self.saves or {}).get(arxiv_id)
        return save_json(state) if state is not None else None


def save_json(state: SaveState) -> dict[str, Any]:
    """A paper's save record: queued until the push lands, then saved (with the item key) or failed."""
    collection = None
    if state.collection_name or state.collection_key:
        collection = {"key": state.collection_key, "name": state.collection_name or state.collection_key}
    return {"state": state.state, "item_key": state.item_key, "tags": list(state.tags), "collection": collection,
            "message": state.message, "updated": state.updated}


def display_status(feedback: str, in_library: bool) -> str:
    """The user's decision wins over the library index: a paper saved here stays "saved".

    A paper the user already had in Zotero (and did not act on here) is "in_library", so
    the popup shows it as such instead of offering to save it again.
    """
    if feedback in ("saved", "dismissed"):
        return feedback
    return "in_library" if in_library else "new"


def match_json(ranked: RankedPaper, library: LibraryView) -> dict[str, Any]:
    item_key = library.item_key(ranked.paper.arxiv_id)
    collection = None
    if ranked.collection:
        collection = {"key": ranked.collection,
                      "name": library.collection_names.get(ranked.collection, ranked.collection)}
    return {
        "paper": paper_json(ranked.paper),
        "score": float(ranked.score),
        "reason": ranked.reason,
        "tags": list(ranked.tags),
        "collection": collection,
        "status": display_status(ranked.status, item_key is not None),
        "item_key": item_key,
        "rank": ranked.rank,
        "save": library.save(ranked.paper.arxiv_id),
    }


def matches_json(ranked: Iterable[RankedPaper], library: LibraryView) -> list[dict[str, Any]]:
    return [match_json(r, library) for r in ranked]
