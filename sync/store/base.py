"""The SQLite connection, transactions and numbered migrations.

One SQLite file, WAL journal, foreign keys on. Each thread gets its own
connection (the server is multi-threaded). Migrations are the files
``migrations/NNNN_name.sql``, applied in order inside one transaction each and
recorded in ``schema_migrations``.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

from ..errors import StorageError

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every bundled migration, in order."""
    found = []
    for entry in resources.files("sync.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise StorageError(f"two migrations share a number: {numbers}")
    return found


def make_private(path: Path) -> None:
    """The store's directory 700 and its files (``.sqlite3``, ``-wal``, ``-shm``) 600, from creation.

    The store holds the library index, notes and the outbox. The database file is created here
    with mode 600 before SQLite opens it (SQLite gives ``-wal`` and ``-shm`` the database file's
    mode); files and directory of an older store are tightened.
    """
    directory = path.parent
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:
        raise StorageError(f"cannot create the store {path}: {exc}") from exc
    for item, mode in ((directory, 0o700), (path, 0o600), (path.with_name(path.name + "-wal"), 0o600),
                       (path.with_name(path.name + "-shm"), 0o600)):
        try:
            if item.stat().st_mode & 0o077:
                item.chmod(mode)
        except OSError:  # absent yet, or not ours to change (a shared directory the user chose)
            pass


class StoreBase:
    """Connection handling shared by every store mixin."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._generation = 0  # bumped by every commit through this Store
        self._connection_serials = itertools.count(1)
        if str(path) != ":memory:":
            make_private(self.path)
        self.migrate()

    # connections -----------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.serial = next(self._connection_serials)
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if str(self.path) != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open store {self.path}: {exc}") from exc
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back on any exception. Re-entrant per thread."""
        conn = self.conn
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield conn
            finally:
                self._local.depth = depth
            return
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"store {self.path} is not writable: {exc}") from exc
            self._local.depth = 1
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                self._generation += 1
            finally:
                self._local.depth = 0

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"store query failed: {exc}") from exc

    # migrations ------------------------------------------------------------------
    def schema_version(self) -> int:
        rows = self.conn.execute("SELECT max(number) FROM schema_migrations").fetchone()
        return rows[0] or 0

    def migrate(self) -> None:
        conn = self.conn
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL"
                " DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
            )
            applied = {row[0] for row in conn.execute("SELECT number FROM schema_migrations")}
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path} is not a paperfeed store: {exc}") from exc
        for number, name, sql in available_migrations():
            if number in applied:
                continue
            with self.transaction():
                try:
                    for statement in _split_sql(sql):
                        conn.execute(statement)
                except sqlite3.DatabaseError as exc:
                    raise StorageError(f"migration {name} failed: {exc}") from exc
                conn.execute("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", (number, name))

    def change_marker(self) -> tuple[int, int, int]:
        """A value that changes whenever the store's content may have changed.

        Commits through this object bump a counter; SQLite's ``data_version`` changes when any
        other connection (another thread's, or another process such as a CLI ``paperfeed daily``)
        commits. ``data_version`` counts per connection, so the marker carries the calling
        thread's connection serial: equal markers mean the same connection saw no change in
        between, and callers may reuse what they computed from the store.
        """
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return self._local.serial, self._generation, version

    def check(self) -> bool:
        """True when the store answers a trivial query (for health checks)."""
        try:
            self.conn.execute("SELECT 1").fetchone()
            return True
        except sqlite3.DatabaseError:
            return False


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    statements, current = [], []
    for line in script.splitlines():
        stripped = line.split("--", 1)[0] if not line.lstrip().startswith("--") else ""
        current.append(stripped)
        if stripped.rstrip().endswith(";") and sqlite3.complete_statement("\n".join(current)):
            statement = "\n".join(current).strip()
            if statement.strip(";").strip():
                statements.append(statement)
            current = []
    tail = "\n".join(current).strip()
    if tail:
        statements.append(tail)
    return statements
