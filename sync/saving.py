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
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Iterable

from .arxiv.source import ArxivSource
from .bibtex import bibtex_entry, citation_key_candidates
from .clock import utc_iso
from .errors import (ArxivError, ConfigError, InvalidInputError, NotFoundError, ZoteroAuthError, ZoteroError,
                     ZoteroUnavailableError)
from .ids import parse_arxiv_id
from .models import LibraryCollection, LibraryItem, Paper
from .settings import Config
from .store.outbox import OutboxEntry
from .zotero.client import MAX_KEYS_PER_READ, MAX_WRITE_BATCH, ZoteroClient, is_trashed, objects_in_batches
from .zotero.keys import collection_key, item_key
from .zotero.mapping import ItemSet, build_item_set, library_item_from_zotero
from .zotero.schema import validate_collection

MAX_OUTBOX_DELAY = 6 * 3600.0


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


def library_name(config: Config) -> str:
    return f"{config['zotero.library_type']}s/{str(config['zotero.library_id']).strip()}"


# metadata --------------------------------------------------------------------------------
def find_paper(store, config: Config, arxiv_id: str) -> Paper:
    """The paper from the store, else from arXiv (then remembered); NotFoundError if arXiv has none."""
    paper = store.get_paper(arxiv_id)
    if paper is not None:
        return paper
    fetched = [p for p in ArxivSource(config).papers_by_id([arxiv_id]) if p.arxiv_id == arxiv_id]
    if not fetched:
        raise NotFoundError(f"arXiv has no paper {arxiv_id}", details={"arxiv_id": arxiv_id})
    paper = replace(fetched[0], announce_date=None, announce_type=None)
    store.remember_papers([paper])
    return paper


def paper_bibtex(store, paper: Paper) -> str:
    """The paper's BibTeX with its stable, collision-free citation key (assigned on first use)."""
    key = store.assign_citation_key(paper.arxiv_id, citation_key_candidates(paper))
    return bibtex_entry(paper, key=key)


def _suggestions(store, arxiv_id: str) -> tuple[tuple[str, ...], str | None]:
    """Suggested tags and collection from the paper's newest ranking."""
    ranked = store.ranked_paper(arxiv_id)
    if ranked is None:
        return (), None
    return ranked.tags, ranked.collection


# save --------------------------------------------------------------------------------------
class _Suggested:
    def __repr__(self) -> str:
        return "SUGGESTED"


SUGGESTED = _Suggested()  # "the ranking's suggestion (else zotero.default_collection)"


def save_paper(store, config: Config, arxiv_id: str, *, tags: Iterable[str] | None = None,
               collection: str | None | _Suggested = SUGGESTED, note: str | None = None,
               client: ZoteroClient | None = None) -> SaveResult:
    """Accept a paper: queue it, then push it at once. Never raises for Zotero faults (it queues).

    ``tags`` are the item's tags as the user left them (the popup sends its edited chips, so a
    removed suggestion stays removed); None means "the suggested tags". The marker tag is
    always added. ``collection``: a key or name; None or "" for no collection (the user chose
    "No collection"); :data:`SUGGESTED` for the ranking's suggestion, else
    ``zotero.default_collection``.
    """
    aid = parse_arxiv_id(arxiv_id).id
    suggested_tags, suggested_collection = _suggestions(store, aid)
    clean_tags = tuple(dict.fromkeys(t.strip() for t in (suggested_tags if tags is None else tags)
                                     if t and t.strip()))
    for tag in clean_tags:
        if len(tag) > 255:
            raise InvalidInputError(f"tag {tag[:40]!r}... is longer than 255 characters")
    if isinstance(collection, _Suggested):
        collection = suggested_collection or config["zotero.default_collection"] or None
    else:
        collection = (collection or "").strip() or None
    paper: Paper | None
    try:
        paper = find_paper(store, config, aid)
    except ArxivError:
        paper = None  # arXiv is down: accept anyway, the push looks the metadata up again
    if not config.zotero_configured:
        store.enqueue_save(aid, library="", item_key="", tags=clean_tags, collection=collection, note=note)
        _record_feedback(store, aid)
        return SaveResult(aid, "queued", None, "queued: Zotero is not configured yet (see docs/zotero.md)")
    library = library_name(config)
    existing = store.outbox_entry(aid)
    own_key = item_key(library, aid)
    done_before = bool(existing and existing.library == library and existing.status == "done")
    # A done entry counts only while its item is still in the library: the user may have deleted it
    # in Zotero since (the library pull removed it from the index), and then "save" must save again.
    still_there = done_before and store.library_item(existing.item_key) is not None
    if paper is not None and not still_there:
        found = store.library_find(arxiv_id=aid, doi=paper.doi, url=f"http://arxiv.org/abs/{aid}")
        if found and found != own_key:
            store.enqueue_save(aid, library=library, item_key=found, tags=clean_tags, collection=collection,
                               note=note, reopen=True)
            store.mark_outbox_done(aid, outcome="already_in_library", item_key=found)
            _record_feedback(store, aid)
            return SaveResult(aid, "already_in_library", found, f"already in library as item {found}")
    if still_there:
        _record_feedback(store, aid)
        return SaveResult(aid, "already_in_library", existing.item_key, f"already in library as item {existing.item_key}")
    entry = store.enqueue_save(aid, library=library, item_key=own_key, tags=clean_tags, collection=collection,
                               note=note, reopen=done_before)
    _record_feedback(store, aid)
    summary = _push(store, config, [entry], client=client)
    return summary.results[aid]


def _record_feedback(store, arxiv_id: str) -> None:
    """Tell ranking the user wants this paper."""
    try:
        store.set_feedback(arxiv_id, "saved")
    except NotFoundError:
        pass  # a paper the store does not hold yet (arXiv down): the push records it (_record_pushed_feedback)


def _record_pushed_feedback(store, arxiv_id: str, given: dict[str, str]) -> None:
    """After a push put the paper in the library: record "saved" unless the paper has feedback already.

    The accept could not record it when the paper was not in the store yet (arXiv down);
    the push has stored it by now. Feedback already there is left alone: "saved" was
    recorded at the accept, and a later "dismissed" is the user's newer word.
    """
    if arxiv_id in given:
        return
    _record_feedback(store, arxiv_id)
    given[arxiv_id] = "saved"


def push_outbox(store, config: Config, *, force: bool = False, client: ZoteroClient | None = None,
                now: datetime | None = None) -> PushSummary:
    """Push every queued paper whose backoff has expired (all of them with ``force``)."""
    now = now or datetime.now(timezone.utc)
    entries = store.due_outbox_entries(utc_iso(now), force=force)
    if not entries:
        return PushSummary(queued=store.count_outbox("pending"), failed=store.count_outbox("failed"))
    if not config.zotero_configured:
        return PushSummary(queued=len(entries), message="Zotero is not configured")
    summary = _push(store, config, entries, client=client, now=now)
    summary.queued = store.count_outbox("pending")
    summary.failed = store.count_outbox("failed")
    return summary


# the push ---------------------------------------------------------------------------------
@dataclass
class _Prepared:
    entry: OutboxEntry
    items: ItemSet


def _push(store, config: Config, entries: list[OutboxEntry], *, client: ZoteroClient | None = None,
          now: datetime | None = None) -> PushSummary:
    now = now or datetime.now(timezone.utc)
    summary = PushSummary()
    own_client = client is None
    try:
        client = client or ZoteroClient(config)
    except ConfigError as exc:
        for entry in entries:
            _defer(store, config, entry, str(exc), now, summary)
        return summary
    library = client.library
    given = store.feedback()
    try:
        prepared: list[_Prepared] = []
        for entry in entries:
            item = _prepare(store, config, client, entry, library, now, summary, given)
            if item is not None:
                prepared.append(item)
        by_key = {p.items.key: p for p in prepared}
        groups = [p.items.objects for p in prepared]
        stopped: str | None = None
        for batch in objects_in_batches(groups, MAX_WRITE_BATCH):
            batch_entries = list(dict.fromkeys(by_key[o.get("parentItem") or o["key"]].entry.arxiv_id for o in batch))
            if stopped:
                for p in prepared:
                    if p.entry.arxiv_id in batch_entries:
                        _defer(store, config, p.entry, stopped, now, summary)
                continue
            try:
                result = client.create_items(batch)
            except ZoteroUnavailableError as exc:
                stopped = exc.message
                for p in prepared:
                    if p.entry.arxiv_id in batch_entries:
                        _defer(store, config, p.entry, exc.message, now, summary,
                               retry_after=(exc.details or {}).get("retry_after"))
                continue
            except ZoteroAuthError as exc:
                stopped = exc.message
                for p in prepared:
                    if p.entry.arxiv_id in batch_entries:
                        _defer(store, config, p.entry, exc.message, now, summary)
                continue
            except ZoteroError as exc:
                for p in prepared:
                    if p.entry.arxiv_id in batch_entries:
                        _defer(store, config, p.entry, exc.message, now, summary)
                continue
            _settle(store, config, client, batch, result, by_key, now, summary, given)
    finally:
        summary.requests = client.requests
        if own_client:
            client.close()
    return summary


def _prepare(store, config: Config, client: ZoteroClient, entry: OutboxEntry, library: str, now: datetime,
             summary: PushSummary, given: dict[str, str]) -> _Prepared | None:
    try:
        paper = find_paper(store, config, entry.arxiv_id)
    except NotFoundError as exc:
        store.mark_outbox_retry(entry.arxiv_id, error=exc.message, next_attempt_at=None, permanent=True)
        summary.failed += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "failed", None, exc.message)
        return None
    except ArxivError as exc:
        _defer(store, config, entry, f"paper metadata unavailable: {exc.message}", now, summary)
        return None
    own_key = item_key(library, entry.arxiv_id)
    found = store.library_find(arxiv_id=entry.arxiv_id, doi=paper.doi)
    if found and found != own_key:
        store.mark_outbox_done(entry.arxiv_id, outcome="already_in_library", item_key=found)
        _record_pushed_feedback(store, entry.arxiv_id, given)
        summary.already_in_library += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "already_in_library", found,
                                                     f"already in library as item {found}")
        return None
    try:
        collections = _collection_keys(store, client, library, entry.collection)
    except ZoteroError as exc:
        _defer(store, config, entry, exc.message, now, summary,
               retry_after=(exc.details or {}).get("retry_after"))
        return None
    except InvalidInputError as exc:
        store.mark_outbox_retry(entry.arxiv_id, error=exc.message, next_attempt_at=None, permanent=True)
        summary.failed += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "failed", None, exc.message)
        return None
    bib_key = store.assign_citation_key(paper.arxiv_id, citation_key_candidates(paper))
    try:
        items = build_item_set(paper, library=library, tags=entry.tags, collections=collections,
                               marker_tag=config["zotero.marker_tag"], citation_key=bib_key,
                               bibtex=bibtex_entry(paper, key=bib_key), note=entry.note,
                               pdf_attachment=config["zotero.pdf_attachment"])
    except InvalidInputError as exc:
        store.mark_outbox_retry(entry.arxiv_id, error=exc.message, next_attempt_at=None, permanent=True)
        summary.failed += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "failed", None, exc.message)
        return None
    return _Prepared(entry=entry, items=items)


def _collection_keys(store, client: ZoteroClient, library: str, wanted: str | None) -> tuple[str, ...]:
    """The key of the chosen collection (a key or a name), created when missing."""
    if not wanted:
        return ()
    known = {c.key for c in store.library_collections()}
    if wanted in known:
        return (wanted,)
    by_name = store.library_collection_by_name(wanted)
    if by_name is not None:
        return (by_name.key,)
    key = collection_key(library, wanted)
    data = {"key": key, "version": 0, "name": wanted.strip(), "parentCollection": False}
    validate_collection(data)
    result = client.create_collections([data])
    if result.failed and result.failed[0][0] != 412:
        code, message = result.failed[0]
        raise ZoteroError(f"cannot create collection {wanted!r}: {code} {message}")
    store.add_library_collection(LibraryCollection(key=key, name=wanted.strip()))
    return (key,)


def _settle(store, config: Config, client: ZoteroClient, batch: list[dict], result, by_key: dict[str, _Prepared],
            now: datetime, summary: PushSummary, given: dict[str, str]) -> None:
    """Turn per-object outcomes into outbox states: a paper is done when its parent exists (out of the trash)."""
    outcome_by_parent: dict[str, tuple[str, str]] = {}
    for index, obj in enumerate(batch):
        if obj.get("parentItem"):
            continue  # a child that failed is not worth re-sending the paper for; its 412 means "there"
        key = obj["key"]
        if index in result.written or index in result.unchanged:
            outcome_by_parent[key] = ("saved", "")
        elif index in result.failed:
            code, message = result.failed[index]
            outcome_by_parent[key] = ("exists", "") if code == 412 else ("error", f"Zotero refused the item: {code} {message}")
    existing: dict[str, dict] = {}
    exists = [by_key[k] for k, (outcome, _) in outcome_by_parent.items() if outcome == "exists"]
    if exists:
        try:
            existing = _restore_from_trash(client, exists)
        except ZoteroError as exc:
            # we cannot tell whether it sits in the trash: keep it queued; the next push asks again
            for prepared in exists:
                outcome_by_parent.pop(prepared.items.key)
                _defer(store, config, prepared.entry, exc.message, now, summary,
                       retry_after=(exc.details or {}).get("retry_after"))
    for key, (outcome, message) in outcome_by_parent.items():
        prepared = by_key[key]
        aid = prepared.entry.arxiv_id
        if outcome == "error":
            store.mark_outbox_retry(aid, error=message, next_attempt_at=None, permanent=True)
            summary.failed += 1
            summary.results[aid] = SaveResult(aid, "failed", None, message)
            continue
        # 412 on our own deterministic key: an earlier attempt (this or another process) created it
        store.mark_outbox_done(aid, outcome="saved", item_key=key)
        _record_pushed_feedback(store, aid, given)
        current = existing.get(key)
        indexed = library_item_from_zotero(current) if current else None
        store.index_saved_item(indexed or _indexed(prepared.items),
                               citation_key=(current or prepared.items.parent).get("citationKey"))
        if outcome == "saved":
            summary.saved += 1
            summary.results[aid] = SaveResult(aid, "saved", key, f"saved to Zotero as item {key}")
        elif current and current.get("restored"):
            summary.saved += 1
            summary.results[aid] = SaveResult(aid, "saved", key, f"restored from the Zotero trash as item {key}")
        else:
            summary.already_in_library += 1
            summary.results[aid] = SaveResult(aid, "already_in_library", key, f"already in library as item {key}")


def _restore_from_trash(client: ZoteroClient, prepared: list[_Prepared]) -> dict[str, dict]:
    """Papers whose parent got 412: their current parent data, after taking them out of the trash.

    One GET for the papers' objects (trashed included), and one POST when some are trashed:
    each object's own data sent back with ``deleted: 0`` and its current version (so a
    concurrent edit gives 412, not a lost update); the parent also gets this save's tags and
    collections added to its own.
    A restored parent's data is marked ``"restored": True`` (for the caller, never sent).
    Raises ZoteroError when Zotero cannot be asked or refuses the restore.
    """
    wanted = {p.items.key: p for p in prepared}
    keys = [o["key"] for p in prepared for o in p.items.objects]
    found: dict[str, dict] = {}
    for start in range(0, len(keys), MAX_KEYS_PER_READ):
        found.update({d["key"]: d for d in client.items_by_key(keys[start:start + MAX_KEYS_PER_READ])})
    patches: list[dict] = []
    for key, data in found.items():
        if not is_trashed(data):
            continue
        patch = {**data, "version": int(data.get("version", 0)), "deleted": 0}  # the editable JSON, sent back
        if key in wanted:
            mine = wanted[key].items.parent
            names = {t.get("tag") for t in data.get("tags", [])}
            patch["tags"] = [*data.get("tags", []), *(t for t in mine.get("tags", []) if t.get("tag") not in names)]
            patch["collections"] = list(dict.fromkeys([*data.get("collections", []), *mine.get("collections", [])]))
        patches.append(patch)
    if patches:
        result = client.create_items(patches)
        for index, (code, message) in result.failed.items():
            if patches[index]["key"] in wanted:
                raise ZoteroError(f"cannot restore item {patches[index]['key']} from the Zotero trash:"
                                  f" {code} {message}")
        for patch in patches:
            if patch["key"] in wanted:
                merged = {**found[patch["key"]], **patch}
                merged.pop("deleted")
                found[patch["key"]] = {**merged, "restored": True}
    return {key: found[key] for key in wanted if key in found}


def _indexed(items: ItemSet) -> LibraryItem:
    data = dict(items.parent)
    data.setdefault("dateAdded", utc_iso())
    item = library_item_from_zotero(data)
    assert item is not None
    return item


def _defer(store, config: Config, entry: OutboxEntry, reason: str, now: datetime, summary: PushSummary,
           retry_after: float | None = None) -> None:
    """Keep the entry queued with the reason; next attempt after a doubling, jittered delay (or Retry-After)."""
    base = config["zotero.outbox_retry_seconds"]
    delay = min(MAX_OUTBOX_DELAY, base * (2 ** min(entry.attempts, 16))) * random.uniform(0.8, 1.2)
    if retry_after:
        delay = max(delay, float(retry_after))
    store.mark_outbox_retry(entry.arxiv_id, error=reason, next_attempt_at=utc_iso(now + timedelta(seconds=delay)))
    summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "queued", None, f"queued: {reason}")
