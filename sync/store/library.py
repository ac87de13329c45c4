"""The local index of the user's Zotero library, and where the last pull got to.

Ranking reads :meth:`LibraryMixin.library_items`; saving asks
:meth:`LibraryMixin.library_match` / :meth:`LibraryMixin.library_find` whether a
paper is already in the library (by arXiv id, DOI or url). Only
:mod:`sync.library_sync` writes here. A pull commits per page, recording the keys
still to fetch, so a crashed pull resumes where it stopped.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from ..clock import utc_iso
from ..models import LibraryCollection, LibraryItem


@dataclass(frozen=True)
class LibrarySyncState:
    """What the index mirrors: ``version`` is the library version fully pulled."""

    library: str
    version: int
    target_version: int | None
    pending_items: tuple[str, ...]
    pending_collections: tuple[str, ...]
    last_synced_at: str | None
    last_result: str

    @property
    def in_progress(self) -> bool:
        """True when a pull was interrupted: the next pull resumes it."""
        return self.target_version is not None


def normalise_url(url: str | None) -> str | None:
    """``https://www.arxiv.org/abs/X/`` and ``http://arxiv.org/abs/X`` compare equal."""
    if not url:
        return None
    text = url.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text.startswith("www."):
        text = text[4:]
    return text.rstrip("/") or None


def normalise_doi(doi: str | None) -> str | None:
    if not doi:
        return None
    text = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
    return text or None


def _item_from_row(row) -> LibraryItem:
    return LibraryItem(
        key=row["key"], title=row["title"], abstract=row["abstract"], item_type=row["item_type"],
        date_added=datetime.fromisoformat(row["date_added"].replace("Z", "+00:00")) if row["date_added"] else None,
        creators=tuple(json.loads(row["creators"])), tags=tuple(json.loads(row["tags"])),
        collections=tuple(json.loads(row["collections"])), arxiv_id=row["arxiv_id"], doi=row["doi"],
        url=row["url"], version=row["version"],
    )


class LibraryMixin:
    # reading -----------------------------------------------------------------------
    def library_items(self) -> list[LibraryItem]:
        """Every indexed regular item, newest added first (ranking weights by recency)."""
        rows = self.query("SELECT * FROM library_items ORDER BY coalesce(date_added, '') DESC, key")
        return [_item_from_row(r) for r in rows]

    def library_item(self, key: str) -> LibraryItem | None:
        rows = self.query("SELECT * FROM library_items WHERE key = ?", (key,))
        return _item_from_row(rows[0]) if rows else None

    def count_library_items(self) -> int:
        return self.query("SELECT count(*) FROM library_items")[0][0]

    def library_match(self, arxiv_ids: Iterable[str]) -> dict[str, str]:
        """{arxiv_id: item key} for the given ids that the library holds (matched by arXiv id)."""
        wanted = list(dict.fromkeys(arxiv_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.query(
                f"SELECT arxiv_id, min(key) AS key FROM library_items WHERE arxiv_id IN ({', '.join('?' * len(chunk))})"
                " GROUP BY arxiv_id", tuple(chunk))
            found.update({r["arxiv_id"]: r["key"] for r in rows})
        return found

    def library_find(self, *, arxiv_id: str | None = None, doi: str | None = None,
                     url: str | None = None) -> str | None:
        """Key of an item that is this paper by arXiv id, DOI or url (saved by any means), else None."""
        clauses, params = [], []
        for column, value in (("arxiv_id", arxiv_id), ("doi", normalise_doi(doi)), ("url", normalise_url(url))):
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        if not clauses:
            return None
        rows = self.query(f"SELECT key FROM library_items WHERE {' OR '.join(clauses)} ORDER BY key LIMIT 1",
                          tuple(params))
        return rows[0]["key"] if rows else None

    def library_collections(self) -> list[LibraryCollection]:
        rows = self.query("SELECT * FROM library_collections ORDER BY lower(name), key")
        return [LibraryCollection(key=r["key"], name=r["name"], parent_key=r["parent_key"], version=r["version"])
                for r in rows]

    def library_collection_by_name(self, name: str) -> LibraryCollection | None:
        rows = self.query("SELECT * FROM library_collections WHERE lower(name) = lower(?) ORDER BY"
                          " parent_key IS NOT NULL, key LIMIT 1", (name.strip(),))
        if not rows:
            return None
        r = rows[0]
        return LibraryCollection(key=r["key"], name=r["name"], parent_key=r["parent_key"], version=r["version"])

    def library_tags(self) -> list[str]:
        """Tag names used in the library, most used first (for tag suggestions in the popup)."""
        counts: Counter[str] = Counter()
        for row in self.query("SELECT tags FROM library_items WHERE tags != '[]'"):
            counts.update(json.loads(row[0]))
        return sorted(counts, key=lambda tag: (-counts[tag], tag.lower(), tag))

    def library_citation_keys(self) -> set[str]:
        return {r[0] for r in self.query("SELECT citation_key FROM library_items WHERE citation_key IS NOT NULL")}

    def last_library_sync(self) -> LibrarySyncState | None:
        rows = self.query("SELECT * FROM library_sync_state WHERE id = 1")
        if not rows:
            return None
        r = rows[0]
        return LibrarySyncState(
            library=r["library"], version=r["version"], target_version=r["target_version"],
            pending_items=tuple(json.loads(r["pending_items"])),
            pending_collections=tuple(json.loads(r["pending_collections"])),
            last_synced_at=r["last_synced_at"], last_result=r["last_result"],
        )

    # writing (sync.library_sync only) -----------------------------------------------
    def reset_library_index(self, library: str) -> None:
        """Forget the index: the configured library changed (or first pull)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM library_items")
            conn.execute("DELETE FROM library_collections")
            conn.execute("DELETE FROM library_sync_state")
            conn.execute("INSERT INTO library_sync_state (id, library, version) VALUES (1, ?, 0)", (library,))

    def begin_library_pull(self, *, target_version: int, item_keys: Iterable[str],
                           collection_keys: Iterable[str], deleted_items: Iterable[str] = (),
                           deleted_collections: Iterable[str] = ()) -> None:
        """Record what a pull must fetch (and apply deletions), all in one transaction."""
        with self.transaction() as conn:
            self._delete_library_objects(conn, deleted_items, deleted_collections)
            conn.execute(
                "UPDATE library_sync_state SET target_version = ?, pending_items = ?, pending_collections = ?"
                " WHERE id = 1",
                (target_version, json.dumps(sorted(set(item_keys))), json.dumps(sorted(set(collection_keys)))),
            )

    def apply_library_page(self, *, items: Iterable[LibraryItem] = (), collections: Iterable[LibraryCollection] = (),
                           fetched_item_keys: Iterable[str] = (), fetched_collection_keys: Iterable[str] = (),
                           citation_keys: Mapping[str, str] | None = None, skip_item_keys: Iterable[str] = ()) -> None:
        """Store one fetched page and strike its keys off the pending lists (one transaction).

        ``skip_item_keys`` are fetched keys that are not regular items (notes, attachments):
        removed from the index if present, never stored.
        """
        citation_keys = citation_keys or {}
        with self.transaction() as conn:
            for item in items:
                conn.execute(
                    "INSERT INTO library_items (key, version, item_type, title, abstract, creators, tags,"
                    " collections, date_added, arxiv_id, doi, url, citation_key)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " version = excluded.version, item_type = excluded.item_type, title = excluded.title,"
                    " abstract = excluded.abstract, creators = excluded.creators, tags = excluded.tags,"
                    " collections = excluded.collections, date_added = excluded.date_added,"
                    " arxiv_id = excluded.arxiv_id, doi = excluded.doi, url = excluded.url,"
                    " citation_key = excluded.citation_key",
                    (item.key, item.version, item.item_type, item.title, item.abstract,
                     json.dumps(list(item.creators), ensure_ascii=False),
                     json.dumps(list(item.tags), ensure_ascii=False), json.dumps(list(item.collections)),
                     item.date_added.isoformat() if item.date_added else None, item.arxiv_id,
                     normalise_doi(item.doi), normalise_url(item.url), citation_keys.get(item.key) or None),
                )
            for key in skip_item_keys:
                conn.execute("DELETE FROM library_items WHERE key = ?", (key,))
            for coll in collections:
                conn.execute(
                    "INSERT INTO library_collections (key, version, name, parent_key) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (key) DO UPDATE SET version = excluded.version, name = excluded.name,"
                    " parent_key = excluded.parent_key",
                    (coll.key, coll.version, coll.name, coll.parent_key),
                )
            row = conn.execute("SELECT pending_items, pending_collections FROM library_sync_state WHERE id = 1"
                               ).fetchone()
            if row is not None:
                done_items, done_colls = set(fetched_item_keys), set(fetched_collection_keys)
                pending_items = [k for k in json.loads(row[0]) if k not in done_items]
                pending_colls = [k for k in json.loads(row[1]) if k not in done_colls]
                conn.execute("UPDATE library_sync_state SET pending_items = ?, pending_collections = ? WHERE id = 1",
                             (json.dumps(pending_items), json.dumps(pending_colls)))

    def finish_library_pull(self, *, version: int, result: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE library_sync_state SET version = ?, target_version = NULL, pending_items = '[]',"
                " pending_collections = '[]', last_synced_at = ?, last_result = ? WHERE id = 1",
                (version, utc_iso(), result),
            )

    def advance_library_version(self, known: int, new: int) -> None:
        """Our own conditional writes took the library from ``known`` to ``new`` (nothing else changed):
        the index (which holds what we wrote) is current at ``new``. No-op if the state moved meanwhile."""
        with self.transaction() as conn:
            conn.execute("UPDATE library_sync_state SET version = ? WHERE id = 1 AND version = ?"
                         " AND target_version IS NULL", (new, known))

    def note_library_sync(self, result: str) -> None:
        """Record a pull that changed nothing (304) or failed, keeping the version."""
        with self.transaction() as conn:
            conn.execute("UPDATE library_sync_state SET last_synced_at = ?, last_result = ? WHERE id = 1",
                         (utc_iso(), result[:2000]))

    def index_saved_item(self, item: LibraryItem, *, citation_key: str | None = None) -> None:
        """Put an item we just created into the index at once (before the next pull sees it)."""
        self.apply_library_page(items=[item], citation_keys={item.key: citation_key} if citation_key else None)

    def add_library_collection(self, collection: LibraryCollection) -> None:
        self.apply_library_page(collections=[collection])

    @staticmethod
    def _delete_library_objects(conn, item_keys: Iterable[str], collection_keys: Iterable[str]) -> None:
        for key in item_keys:
            conn.execute("DELETE FROM library_items WHERE key = ?", (key,))
        for key in collection_keys:
            conn.execute("DELETE FROM library_collections WHERE key = ?", (key,))
