"""The library pull: keep the local index of the Zotero library current, cheaply.

Zotero's recommended incremental sync:

1. ``GET /items/top?since=V&format=versions&includeTrashed=1`` with
   ``If-Modified-Since-Version: V``: 304 means nothing changed anywhere (an unchanged
   library costs this one request). Trashed items are asked for because moving an item
   to the trash (or back) only changes its ``deleted`` flag and version; it reaches
   ``/deleted`` only when the trash is emptied;
2. ``GET /collections?since=V&format=versions`` and ``GET /deleted?since=V``;
3. fetch the changed objects by key, 50 per request, committing each page and
   striking its keys off the pending list; an item in the trash is removed from the
   index (it is not "in your library" and does not shape ranking), one restored
   from the trash comes back with its new version;
4. record the new library version.

A pull that crashes (or loses the network) between pages keeps its pending keys
and target version in the store; the next pull finishes that work first, so
nothing is fetched twice and nothing is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ZoteroError
from .models import Progress
from .settings import Config
from .zotero.client import MAX_KEYS_PER_READ, ZoteroClient, is_trashed
from .zotero.mapping import citation_key_of, library_item_from_zotero



@dataclass
class PullSummary:
    library: str = ""
    version: int = 0
    unchanged: bool = False
    resumed: bool = False
    items_updated: int = 0
    items_deleted: int = 0
    items_trashed: int = 0  # in the Zotero trash: taken out of the index
    collections_updated: int = 0
    collections_deleted: int = 0
    total_items: int = 0
    requests: int = 0

    def line(self) -> str:
        if self.unchanged:
            return f"library {self.library}: unchanged (version {self.version}, {self.total_items} items)"
        text = (f"library {self.library}: {self.items_updated} items updated, {self.items_deleted} deleted, "
                f"{self.collections_updated} collections updated, {self.collections_deleted} deleted"
                f" (version {self.version}, {self.total_items} items)")
        if self.items_trashed:
            text += f"; {self.items_trashed} in the Zotero trash left out"
        return text + (" - resumed an interrupted pull" if self.resumed else "")


def pull_library(store, config: Config, *, progress: Progress | None = None,
                 client: ZoteroClient | None = None) -> PullSummary:
    """Bring the index up to the library's current version; raise ZoteroError subclasses on failure."""
    own_client = client is None
    client = client or ZoteroClient(config)
    summary = PullSummary(library=client.library)
    try:
        _pull(store, client, summary, progress)
    except ZoteroError as exc:
        store.note_library_sync(f"error: {exc.message}")
        raise
    finally:
        summary.requests = client.requests
        if own_client:
            client.close()
    return summary


def _pull(store, client: ZoteroClient, summary: PullSummary, progress: Progress | None) -> None:
    state = store.last_library_sync()
    if state is None or state.library != client.library:
        store.reset_library_index(client.library)
        state = store.last_library_sync()
    if state.in_progress:
        summary.resumed = True
        target = state.target_version
    else:
        since = state.version
        changed = client.item_versions(since)
        if changed.not_modified:
            summary.unchanged = True
            summary.version = since
            summary.total_items = store.count_library_items()
            store.note_library_sync("unchanged")
            return
        collections = client.collection_versions(since)
        deleted = client.deleted(since) if since else None
        target = changed.library_version
        store.begin_library_pull(target_version=target, item_keys=changed.versions, collection_keys=collections,
                                 deleted_items=deleted.items if deleted else (),
                                 deleted_collections=deleted.collections if deleted else ())
        if deleted:
            summary.items_deleted, summary.collections_deleted = len(deleted.items), len(deleted.collections)
        state = store.last_library_sync()
    pending_items, pending_colls = list(state.pending_items), list(state.pending_collections)
    total, done = len(pending_items) + len(pending_colls), 0
    for start in range(0, len(pending_colls), MAX_KEYS_PER_READ):
        keys = pending_colls[start:start + MAX_KEYS_PER_READ]
        fetched = client.collections_by_key(keys)
        store.apply_library_page(collections=fetched, fetched_collection_keys=keys)
        summary.collections_updated += len(fetched)
        done += len(keys)
        if progress:
            progress("library", done, total)
    for start in range(0, len(pending_items), MAX_KEYS_PER_READ):
        keys = pending_items[start:start + MAX_KEYS_PER_READ]
        datas = client.items_by_key(keys)
        items, skipped, cite_keys = [], [], {}
        for data in datas:
            trashed = is_trashed(data)
            item = None if trashed else library_item_from_zotero(data)
            if item is None:
                summary.items_trashed += trashed
                skipped.append(data["key"])
                continue
            items.append(item)
            if citation_key_of(data):
                cite_keys[item.key] = citation_key_of(data)
        store.apply_library_page(items=items, skip_item_keys=skipped, fetched_item_keys=keys, citation_keys=cite_keys)
        summary.items_updated += len(items)
        done += len(keys)
        if progress:
            progress("library", done, total)
    store.finish_library_pull(version=target, result=f"ok: {summary.items_updated} items updated")
    summary.version = target
    summary.total_items = store.count_library_items()
