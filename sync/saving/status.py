"""The per-paper result of a save, a push's summary, and the feedback a save records."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NotFoundError
from ..store.outbox import OutboxEntry
from ..zotero.keys import collection_key


@dataclass(frozen=True)
class SaveResult:
    """``status``: "saved" | "already_in_library" | "queued" | "failed"."""

    arxiv_id: str
    status: str
    item_key: str | None
    message: str


@dataclass
class PushSummary:
    saved: int = 0
    already_in_library: int = 0
    queued: int = 0  # still waiting (will be retried)
    failed: int = 0  # cannot succeed as is (shown by `paperfeed outbox`)
    requests: int = 0
    message: str = ""
    results: dict[str, SaveResult] = field(default_factory=dict)

    def line(self) -> str:
        text = (f"outbox: {self.saved} saved, {self.already_in_library} already in library, "
                f"{self.queued} still queued, {self.failed} failed")
        return text + (f" ({self.message})" if self.message else "")



def record_feedback(store, arxiv_id: str) -> None:
    """Tell ranking the user wants this paper."""
    try:
        store.set_feedback(arxiv_id, "saved")
    except NotFoundError:
        pass  # a paper the store does not hold yet (arXiv down): the push records it (record_pushed_feedback)


def record_pushed_feedback(store, arxiv_id: str, given: dict[str, str]) -> None:
    """After a push put the paper in the library: record "saved" unless the paper has feedback already.

    The accept could not record it when the paper was not in the store yet (arXiv down);
    the push has stored it by now. Feedback already there is left alone: "saved" was
    recorded at the accept, and a later "dismissed" is the user's newer word.
    """
    if arxiv_id in given:
        return
    record_feedback(store, arxiv_id)
    given[arxiv_id] = "saved"



def result_of(entry: OutboxEntry) -> SaveResult:
    """The answer to a save from its outbox entry as it stands now."""
    if entry.status == "done":
        if entry.outcome == "already_in_library":
            return SaveResult(entry.arxiv_id, "already_in_library", entry.item_key,
                              f"already in library as item {entry.item_key}")
        return SaveResult(entry.arxiv_id, "saved", entry.item_key, f"saved to Zotero as item {entry.item_key}"
                          + (f"; {entry.last_error}" if entry.last_error else ""))
    if entry.status == "failed":
        return SaveResult(entry.arxiv_id, "failed", None, entry.last_error or "Zotero refused the item")
    if not entry.library:
        return SaveResult(entry.arxiv_id, "queued", None, "queued: Zotero is not configured yet (see docs/zotero.md)")
    return SaveResult(entry.arxiv_id, "queued", None, f"queued: {entry.last_error or 'waiting to be pushed to Zotero'}")


@dataclass(frozen=True)
class SaveState:
    """A paper's save record, as the API shows it: "queued" | "saved" | "failed"."""

    state: str
    item_key: str | None
    tags: tuple[str, ...]
    collection_key: str | None
    collection_name: str | None
    message: str
    updated: str


def save_state(entry: OutboxEntry, collections: dict[str, str]) -> SaveState:
    """``entry`` as a :class:`SaveState`; ``collections`` maps the library's collection keys to names.

    The entry holds the collection as the user gave it (a key or a name); a name not in the
    library yet is shown with the deterministic key the push creates it under.
    """
    result = result_of(entry)
    key = name = None
    if entry.collection:
        if entry.collection in collections:
            key, name = entry.collection, collections[entry.collection]
        else:
            by_name = {n.casefold(): k for k, n in collections.items()}
            name = entry.collection.strip()
            key = by_name.get(name.casefold()) or (collection_key(entry.library, name) if entry.library else None)
    state = {"saved": "saved", "already_in_library": "saved", "failed": "failed"}.get(result.status, "queued")
    return SaveState(state=state, item_key=result.item_key if state == "saved" else None, tags=entry.tags,
                     collection_key=key, collection_name=name, message=result.message, updated=entry.updated_at)
