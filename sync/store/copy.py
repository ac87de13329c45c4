"""Copy a store into another one (``paperfeed store copy``): a single-user SQLite store into a lab
server's PostgreSQL database as one user, nothing lost.

Shared tables (papers, announcements, keyword hits, embeddings) are merged: a row the server
already has (another user's fetch stored the same paper) is kept as it is. Fetch and cycle runs
are history without a natural key: they are appended with new ids. The user's own tables must be
empty on the target and are copied verbatim. Everything is one transaction on the target; then
each table is read back and compared with the source: row count and a SHA-256 checksum of its
rows (in a canonical form, independent of engine and row order).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from ..errors import InvalidInputError

# (table, kind, natural key). kind: "shared" merged by key; "history" appended (surrogate id
# dropped); "user" copied verbatim into an empty table. Order respects foreign keys.
COPY_PLAN: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("papers", "shared", ("arxiv_id",)),
    ("announcements", "shared", ("announce_date", "arxiv_id", "source")),
    ("keyword_hits", "shared", ("keyword", "arxiv_id")),
    ("embeddings", "shared", ("content_hash", "model")),
    ("fetch_runs", "history", ()),
    ("cycle_runs", "history", ()),
    ("rank_runs", "user", ()),
    ("rankings", "user", ()),
    ("feedback", "user", ()),
    ("library_items", "user", ()),
    ("library_collections", "user", ()),
    ("library_sync_state", "user", ()),
    ("zotero_outbox", "user", ()),
    ("bibtex_keys", "user", ()),
    ("deliveries", "user", ()),
)


@dataclass(frozen=True)
class TableCopy:
    table: str
    source_rows: int
    target_rows: int  # rows on the target that correspond to the source's
    source_checksum: str
    target_checksum: str
    already_there: int = 0  # shared rows the target had before (kept as they were)

    @property
    def ok(self) -> bool:
        if self.already_there:  # the server's copy of a shared row was kept: every key must be there
            return self.target_rows == self.source_rows
        return self.target_rows == self.source_rows and self.source_checksum == self.target_checksum

    def line(self) -> str:
        note = f"  ({self.already_there} already on the server, kept)" if self.already_there else ""
        state = "ok" if self.ok else "MISMATCH"
        return (f"{self.table:<20} {self.source_rows:>8} -> {self.target_rows:<8} "
                f"{self.source_checksum[:16]} {self.target_checksum[:16]}  {state}{note}")


def _canonical(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"hex": bytes(value).hex()}
    if isinstance(value, float):
        return repr(value)
    return value


def _rows(store, table: str, drop: tuple[str, ...] = ()) -> tuple[list[str], list[tuple]]:
    rows = store.query(f"SELECT * FROM {table}")
    if not rows:
        columns = [c for c in _columns(store, table) if c not in drop]
        return columns, []
    columns = [c for c in rows[0].keys() if c not in drop]
    return columns, [tuple(row[c] for c in columns) for row in rows]


def _columns(store, table: str) -> list[str]:
    if store.is_postgres:
        rows = store.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                           " AND table_schema = ANY (current_schemas(false)) ORDER BY ordinal_position", (table,))
        return list(dict.fromkeys(r[0] for r in rows))
    return [r[1] for r in store.query(f"PRAGMA table_info({table})")]


def _lines(columns: list[str], rows: list[tuple]) -> list[str]:
    return [json.dumps(dict(zip(columns, map(_canonical, row))), sort_keys=True, ensure_ascii=False)
            for row in rows]


def checksum(lines: list[str]) -> str:
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def copy_store(source, target) -> list[TableCopy]:
    """Copy ``source`` into ``target`` (one transaction) and compare every table; see the module doc."""
    for table, kind, _ in COPY_PLAN:
        if kind == "user" and target.query(f"SELECT count(*) FROM {table}")[0][0]:
            raise InvalidInputError(f"the target already has {table} rows: copy into a new (empty) user only",
                                    details={"table": table})
    plan = []
    for table, kind, key in COPY_PLAN:
        drop = ("id",) if kind == "history" else ()
        columns, rows = _rows(source, table, drop)
        plan.append((table, kind, key, drop, columns, rows))
    already: dict[str, int] = {}
    with target.transaction() as conn:
        for table, kind, key, _, columns, rows in plan:
            if not rows:
                continue
            names = ", ".join(columns)
            marks = ", ".join("?" * len(columns))
            if kind == "shared":
                before = target.query(f"SELECT count(*) FROM {table}")[0][0]
                conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows)
                after = target.query(f"SELECT count(*) FROM {table}")[0][0]
                already[table] = len(rows) - (after - before)
            else:
                conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        if target.is_postgres:  # explicit ids were copied: move the identity sequences past them
            for table in ("rank_runs",):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                             f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
    report = []
    for table, kind, key, drop, columns, rows in plan:
        source_lines = _lines(columns, rows)
        target_columns, target_rows = _rows(target, table, drop)
        target_lines = _lines(target_columns, target_rows)
        if kind == "shared":
            wanted = {tuple(r[columns.index(k)] for k in key) for r in rows}
            target_lines = [line for line, r in zip(target_lines, target_rows)
                            if tuple(r[target_columns.index(k)] for k in key) in wanted]
        elif kind == "history":  # appended to the server's history: every source row must be there
            have = Counter(target_lines)
            need = Counter(source_lines)
            target_lines = list((need & have).elements())
        report.append(TableCopy(table, len(source_lines), len(target_lines), checksum(source_lines),
                                checksum(target_lines), already.get(table, 0)))
    return report
