"""Push the outbox to Zotero: batches of parents and children, 412 on our own key read as "there"."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..bibtex import bibtex_entry, citation_key_candidates
from ..clock import utc_iso
from ..errors import (ArxivError, ConfigError, InvalidInputError, NotFoundError, ZoteroAuthError, ZoteroError,
                      ZoteroLibraryChangedError, ZoteroUnavailableError)
from ..library_sync import pull_library
from ..arxiv.source import ArxivSource
from ..models import LibraryCollection, LibraryItem, Paper
from ..settings import Config
from ..store.outbox import OutboxEntry
from ..zotero.client import (MAX_KEYS_PER_READ, MAX_WRITE_BATCH, ZoteroClient, ZoteroQuotaError, is_trashed,
                             objects_in_batches)
from ..zotero.keys import collection_key, item_key
from ..zotero.mapping import ItemSet, build_item_set, file_attachment, library_item_from_zotero, pdf_link
from ..zotero.schema import validate_collection
from .metadata import find_paper
from .status import PushSummary, SaveResult, record_pushed_feedback

MAX_OUTBOX_DELAY = 6 * 3600.0
MAX_PULLS_PER_PUSH = 3  # a library that keeps changing under us: defer after this many pulls


def push_outbox(store, config: Config, *, force: bool = False, client: ZoteroClient | None = None,
                now: datetime | None = None) -> PushSummary:
    """Push every queued paper whose backoff has expired (all of them with ``force``)."""
    now = now or datetime.now(timezone.utc)
    entries = store.due_outbox_entries(utc_iso(now), force=force)
    if not entries:
        return PushSummary(queued=store.count_outbox("pending"), failed=store.count_outbox("failed"))
    if not config.zotero_configured:
        return PushSummary(queued=len(entries), message="Zotero is not configured")
    summary = push_entries(store, config, entries, client=client, now=now)
    summary.queued = store.count_outbox("pending")
    summary.failed = store.count_outbox("failed")
    return summary


# the push ---------------------------------------------------------------------------------
@dataclass
class _Prepared:
    entry: OutboxEntry
    items: ItemSet
    paper: Paper


def push_entries(store, config: Config, entries: list[OutboxEntry], *, client: ZoteroClient | None = None,
                 now: datetime | None = None) -> PushSummary:
    """Push ``entries``: dedupe against the library as Zotero has it now, then write, exactly once.

    The index must be current before anything is created, so a paper saved meanwhile by other
    means (the Zotero Connector, another device) is recognised instead of saved twice. The
    writes are conditional (``If-Unmodified-Since-Version`` = the index's version): when the
    library is unchanged that costs no request at all; when it changed, Zotero refuses the
    write (412), the incremental pull brings the index up to date and the entries are checked
    and written again. An index never pulled is pulled first. After the push, the index's
    version moves on to the version our own writes produced.
    """
    now = now or datetime.now(timezone.utc)
    summary = PushSummary()
    own_client = client is None
    try:
        client = client or ZoteroClient(config)
    except ConfigError as exc:
        for entry in entries:
            _defer(store, config, entry, str(exc), now, summary)
        return summary
    given = store.feedback()
    try:
        pending = list(entries)
        for attempt in range(MAX_PULLS_PER_PUSH):
            try:
                known = _current_index(store, config, client, force=attempt > 0)
            except ZoteroError as exc:
                for entry in pending:
                    _defer(store, config, entry, f"cannot check the Zotero library: {exc.message}", now, summary,
                           retry_after=(exc.details or {}).get("retry_after"))
                break
            client.library_version = known
            try:
                _write_entries(store, config, client, pending, now, summary, given)
                break
            except ZoteroLibraryChangedError as exc:
                pending = [e for e in pending if e.arxiv_id not in summary.results]
                if attempt == MAX_PULLS_PER_PUSH - 1:
                    for entry in pending:
                        _defer(store, config, entry, exc.message, now, summary)
            finally:
                if client.library_version is not None and client.library_version != known:
                    store.advance_library_version(known, client.library_version)
    finally:
        summary.requests = client.requests
        if own_client:
            client.close()
    return summary


def _current_index(store, config: Config, client: ZoteroClient, *, force: bool) -> int:
    """The version the index is current at; pulls (incrementally) first when asked or never pulled."""
    state = store.last_library_sync()
    if force or state is None or state.library != client.library or state.in_progress:
        pull_library(store, config, client=client)
        state = store.last_library_sync()
    return state.version


def _write_entries(store, config: Config, client: ZoteroClient, entries: list[OutboxEntry], now: datetime,
                   summary: PushSummary, given: dict[str, str]) -> None:
    library = client.library
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
        except ZoteroLibraryChangedError:
            raise
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
        record_pushed_feedback(store, entry.arxiv_id, given)
        summary.already_in_library += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "already_in_library", found,
                                                     f"already in library as item {found}")
        return None
    try:
        collections = _collection_keys(store, client, library, entry.collection)
    except ZoteroLibraryChangedError:
        raise
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
                               pdf=config["zotero.pdf"], version=entry.version)
    except InvalidInputError as exc:
        store.mark_outbox_retry(entry.arxiv_id, error=exc.message, next_attempt_at=None, permanent=True)
        summary.failed += 1
        summary.results[entry.arxiv_id] = SaveResult(entry.arxiv_id, "failed", None, exc.message)
        return None
    return _Prepared(entry=entry, items=items, paper=paper)


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
    child_failures: dict[str, list[str]] = {}
    for index, obj in enumerate(batch):
        if obj.get("parentItem"):
            # a child's 412 means "there"; any other failure keeps the paper in the outbox (retried)
            if index in result.failed and result.failed[index][0] != 412:
                code, message = result.failed[index]
                what = obj.get("title") or ("note" if obj.get("itemType") == "note" else obj.get("itemType"))
                child_failures.setdefault(obj["parentItem"], []).append(f"{what}: {code} {message}")
            continue
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
        current = existing.get(key)
        indexed = library_item_from_zotero(current) if current else None
        store.index_saved_item(indexed or _indexed(prepared.items),
                               citation_key=(current or prepared.items.parent).get("citationKey"))
        record_pushed_feedback(store, aid, given)
        if key in child_failures:
            # the item is there, a note or the PDF is not: stay queued; the next push sends the paper
            # again (what exists answers 412, only what failed is written)
            _defer(store, config, prepared.entry, f"saved as item {key}, but Zotero refused "
                   + "; ".join(child_failures[key]) + " (retried)", now, summary)
            continue
        pdf_note = ""
        stored = file_attachment(prepared.items)
        if stored is not None:
            try:
                pdf_note = _store_pdf(config, client, prepared, stored)
            except (ZoteroError, ArxivError) as exc:
                _defer(store, config, prepared.entry, f"saved as item {key}, but its PDF is not stored yet:"
                       f" {exc.message} (retried)", now, summary,
                       retry_after=(exc.details or {}).get("retry_after"))
                continue
        store.mark_outbox_done(aid, outcome="saved", item_key=key, note=pdf_note)
        # Our own key already there after an attempt whose answer we lost (this push, or an earlier
        # attempt of this entry): that attempt wrote it. Only a first, clean attempt that finds it
        # means another device or process saved it.
        lost_reply = outcome == "exists" and (client.uncertain or prepared.entry.attempts > 0)
        if outcome == "saved" or (lost_reply and not (current and current.get("restored"))):
            summary.saved += 1
            summary.results[aid] = SaveResult(aid, "saved", key, f"saved to Zotero as item {key}"
                                              + (f"; {pdf_note}" if pdf_note else ""))
        elif current and current.get("restored"):
            summary.saved += 1
            summary.results[aid] = SaveResult(aid, "saved", key, f"restored from the Zotero trash as item {key}")
        else:
            summary.already_in_library += 1
            summary.results[aid] = SaveResult(aid, "already_in_library", key, f"already in library as item {key}")


def _store_pdf(config: Config, client: ZoteroClient, prepared: _Prepared, attachment: dict) -> str:
    """Download the PDF from arXiv (politely) and upload it as the attachment's file.

    Returns a note for the user ("" when stored as asked). Over the Zotero storage quota (413)
    the stored-file attachment is replaced by a link to the PDF, and the note says so.
    """
    paper = prepared.paper
    data = ArxivSource(config).pdf(paper.arxiv_id, paper.version)
    try:
        client.upload_file(attachment["key"], data, filename=attachment["filename"],
                           mtime_ms=int(datetime.now(timezone.utc).timestamp() * 1000))
        return ""
    except ZoteroQuotaError as exc:
        version = client.library_version
        link = {**pdf_link(paper), "key": item_key(client.library, paper.arxiv_id, "attachment:pdf"), "version": 0,
                "parentItem": prepared.items.key, "tags": [], "relations": {}}
        client.library_version = None  # the file attachment's removal and the link are ours; re-check later
        if version is not None:
            try:
                client.delete_item(attachment["key"], version)
            except ZoteroError:
                pass  # an empty file attachment is left beside the link; harmless
        client.create_items([link])
        return f"Zotero storage is full, so the PDF is a link to arXiv instead of a stored file ({exc.message})"


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
