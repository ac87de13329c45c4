"""Accept a paper: record it in the outbox (with the user's tags and collection), then push it."""

from __future__ import annotations

from typing import Iterable

from ..errors import ArxivError, InvalidInputError
from ..ids import parse_arxiv_id
from ..models import Paper
from ..settings import Config
from ..zotero.client import ZoteroClient
from ..zotero.keys import item_key
from .metadata import find_paper
from .push import push_entries
from .status import SaveResult, record_feedback


def library_name(config: Config) -> str:
    return f"{config['zotero.library_type']}s/{str(config['zotero.library_id']).strip()}"


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
    """Accept a paper (:func:`accept_paper`), then push it at once, in this thread (``paperfeed save``).

    Never raises for Zotero faults (it queues). The API does not call this: it accepts, then
    waits a moment for the background pusher (:mod:`.pusher`).
    """
    result = accept_paper(store, config, arxiv_id, tags=tags, collection=collection, note=note)
    if result is not None:
        return result
    entry = store.outbox_entry(parse_arxiv_id(arxiv_id).id)
    summary = push_entries(store, config, [entry], client=client)
    return summary.results[entry.arxiv_id]


def accept_paper(store, config: Config, arxiv_id: str, *, tags: Iterable[str] | None = None,
                 collection: str | None | _Suggested = SUGGESTED, note: str | None = None) -> SaveResult | None:
    """Record the accept in the outbox; no request to Zotero.

    Returns the answer when it is known without Zotero (already in the synced library, or
    Zotero not configured), else None: the entry waits in the outbox for a push.

    ``tags`` are the item's tags as the user left them (the popup sends its edited chips, so a
    removed suggestion stays removed); None means "the suggested tags". The marker tag is
    always added. ``collection``: a key or name; None or "" for no collection (the user chose
    "No collection"); :data:`SUGGESTED` for the ranking's suggestion, else
    ``zotero.default_collection``.
    """
    parsed = parse_arxiv_id(arxiv_id)
    aid = parsed.id
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
        store.enqueue_save(aid, library="", item_key="", tags=clean_tags, collection=collection, note=note,
                           version=parsed.version)
        record_feedback(store, aid)
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
            record_feedback(store, aid)
            return SaveResult(aid, "already_in_library", found, f"already in library as item {found}")
    if still_there:
        record_feedback(store, aid)
        return SaveResult(aid, "already_in_library", existing.item_key, f"already in library as item {existing.item_key}")
    store.enqueue_save(aid, library=library, item_key=own_key, tags=clean_tags, collection=collection,
                       note=note, reopen=done_before, version=parsed.version)
    record_feedback(store, aid)
    return None
