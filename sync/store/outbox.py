"""The Zotero outbox: an accepted paper is written here first, then pushed.

Nothing accepted is lost: an entry stays ``pending`` with the reason of its last
failure and the time of its next attempt until Zotero has it (``done``).
``failed`` is for entries that can never succeed as they are (e.g. the paper's
metadata cannot be found); they are shown, not retried. Citation keys handed out
for BibTeX live here too, so a paper keeps its key across runs.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable

from ..clock import utc_iso


@dataclass(frozen=True)
class OutboxEntry:
    arxiv_id: str
    library: str
    item_key: str
    tags: tuple[str, ...]
    collection: str | None
    note: str | None
    status: str  # pending | done | failed
    outcome: str | None  # saved | already_in_library (when done)
    attempts: int
    last_error: str
    next_attempt_at: str | None
    created_at: str
    updated_at: str
    pushed_at: str | None
    version: int | None = None  # the arXiv version asked for (a versioned id), else None


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        arxiv_id=row["arxiv_id"], library=row["library"], item_key=row["item_key"],
        tags=tuple(json.loads(row["tags"])), collection=row["collection"], note=row["note"],
        status=row["status"], outcome=row["outcome"], attempts=row["attempts"], last_error=row["last_error"],
        next_attempt_at=row["next_attempt_at"], created_at=row["created_at"], updated_at=row["updated_at"],
        pushed_at=row["pushed_at"], version=row["version"],
    )


class OutboxMixin:
    def enqueue_save(self, arxiv_id: str, *, library: str, item_key: str, tags: Iterable[str] = (),
                     collection: str | None = None, note: str | None = None, reopen: bool = False,
                     version: int | None = None) -> OutboxEntry:
        """Queue a paper for saving (idempotent).

        A second accept of a queued paper merges its tags and keeps the first
        collection unless a new one is given; an entry already done stays done,
        unless ``reopen`` (its item was deleted from Zotero since: it is saved anew
        with exactly the tags, collection and note given now).
        """
        now = utc_iso()
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM zotero_outbox WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO zotero_outbox (arxiv_id, library, item_key, tags, collection, note, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (arxiv_id, library, item_key, json.dumps(list(dict.fromkeys(tags)), ensure_ascii=False),
                     collection, note, now, now),
                )
            elif reopen and row["status"] == "done":
                conn.execute(
                    "UPDATE zotero_outbox SET library = ?, item_key = ?, tags = ?, collection = ?, note = ?,"
                    " status = 'pending', outcome = NULL, attempts = 0, last_error = '', next_attempt_at = NULL,"
                    " pushed_at = NULL, updated_at = ? WHERE arxiv_id = ?",
                    (library, item_key, json.dumps(list(dict.fromkeys(tags)), ensure_ascii=False), collection,
                     note, now, arxiv_id),
                )
            elif row["status"] != "done" or row["library"] != library:
                merged = list(dict.fromkeys([*json.loads(row["tags"]), *tags]))
                conn.execute(
                    "UPDATE zotero_outbox SET library = ?, item_key = ?, tags = ?, collection = ?, note = ?,"
                    " status = 'pending', next_attempt_at = NULL, updated_at = ? WHERE arxiv_id = ?",
                    (library, item_key, json.dumps(merged, ensure_ascii=False), collection or row["collection"],
                     note or row["note"], now, arxiv_id),
                )
            if version is not None:
                conn.execute("UPDATE zotero_outbox SET version = ? WHERE arxiv_id = ? AND status != 'done'",
                             (version, arxiv_id))
            row = conn.execute("SELECT * FROM zotero_outbox WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        return _entry(row)

    def outbox_entry(self, arxiv_id: str) -> OutboxEntry | None:
        rows = self.query("SELECT * FROM zotero_outbox WHERE arxiv_id = ?", (arxiv_id,))
        return _entry(rows[0]) if rows else None

    def outbox_entries_for(self, arxiv_ids: Iterable[str]) -> dict[str, OutboxEntry]:
        """{arxiv_id: entry} of the given papers that were ever accepted (one query per 500 ids)."""
        wanted = list(dict.fromkeys(arxiv_ids))
        found: dict[str, OutboxEntry] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.query(f"SELECT * FROM zotero_outbox WHERE arxiv_id IN ({', '.join('?' * len(chunk))})",
                              tuple(chunk))
            found.update({r["arxiv_id"]: _entry(r) for r in rows})
        return found

    def next_outbox_attempt(self) -> str | None:
        """The earliest ``next_attempt_at`` of the pending entries (None: nothing is waiting on a backoff)."""
        rows = self.query("SELECT min(next_attempt_at) FROM zotero_outbox WHERE status = 'pending'"
                          " AND next_attempt_at IS NOT NULL")
        return rows[0][0] if rows else None

    def outbox_entries(self, *, status: str | None = None, include_done: bool = False) -> list[OutboxEntry]:
        """Entries waiting (pending/failed) by default, oldest first; ``status`` filters exactly."""
        if status:
            rows = self.query("SELECT * FROM zotero_outbox WHERE status = ? ORDER BY created_at, arxiv_id", (status,))
        elif include_done:
            rows = self.query("SELECT * FROM zotero_outbox ORDER BY created_at, arxiv_id")
        else:
            rows = self.query("SELECT * FROM zotero_outbox WHERE status != 'done' ORDER BY created_at, arxiv_id")
        return [_entry(r) for r in rows]

    def due_outbox_entries(self, now_iso: str, *, force: bool = False) -> list[OutboxEntry]:
        """Pending entries whose backoff has expired (all pending ones with ``force``)."""
        if force:
            rows = self.query("SELECT * FROM zotero_outbox WHERE status = 'pending' ORDER BY created_at, arxiv_id")
        else:
            rows = self.query(
                "SELECT * FROM zotero_outbox WHERE status = 'pending' AND (next_attempt_at IS NULL"
                " OR next_attempt_at <= ?) ORDER BY created_at, arxiv_id", (now_iso,))
        return [_entry(r) for r in rows]

    def mark_outbox_done(self, arxiv_id: str, *, outcome: str, item_key: str, note: str = "") -> None:
        """Pushed; ``note`` is kept for the user (e.g. the PDF became a link) in ``last_error``."""
        now = utc_iso()
        with self.transaction() as conn:
            conn.execute(
                "UPDATE zotero_outbox SET status = 'done', outcome = ?, item_key = ?, last_error = ?,"
                " attempts = attempts + 1, next_attempt_at = NULL, pushed_at = ?, updated_at = ? WHERE arxiv_id = ?",
                (outcome, item_key, note, now, now, arxiv_id),
            )

    def mark_outbox_retry(self, arxiv_id: str, *, error: str, next_attempt_at: str | None,
                          permanent: bool = False) -> None:
        """Record a failed attempt: stays pending (retried at ``next_attempt_at``) unless ``permanent``."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE zotero_outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = ?, updated_at = ? WHERE arxiv_id = ?",
                ("failed" if permanent else "pending", error[:1000], next_attempt_at, utc_iso(), arxiv_id),
            )

    def count_outbox(self, status: str = "pending") -> int:
        return self.query("SELECT count(*) FROM zotero_outbox WHERE status = ?", (status,))[0][0]

    # citation keys -------------------------------------------------------------------
    def assign_citation_key(self, arxiv_id: str, candidates: Iterable[str]) -> str:
        """The paper's citation key: the one it already has, else the first free candidate.

        Free means not given to another paper and not used by another item of the library.
        """
        with self.transaction() as conn:
            row = conn.execute("SELECT citation_key FROM bibtex_keys WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
            if row is not None:
                return row[0]
            for key in candidates:
                taken = conn.execute("SELECT 1 FROM bibtex_keys WHERE citation_key = ?", (key,)).fetchone()
                in_library = conn.execute(
                    "SELECT 1 FROM library_items WHERE citation_key = ? AND coalesce(arxiv_id, '') != ?",
                    (key, arxiv_id)).fetchone()
                if not taken and not in_library:
                    conn.execute("INSERT INTO bibtex_keys (arxiv_id, citation_key) VALUES (?, ?)", (arxiv_id, key))
                    return key
        raise ValueError(f"no free citation key for {arxiv_id}")
