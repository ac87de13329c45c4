"""Connections, transactions and numbered migrations, on SQLite or PostgreSQL.

SQLite (the default): one file, WAL journal, foreign keys on. PostgreSQL: selected
by a ``postgresql://`` URL (setting ``store.url``); see :mod:`sync.store.engine`
for where the tables live. Each thread gets its own connection (the server is
multi-threaded).

Migrations are the files ``migrations/NNNN_name.sql`` (SQLite) and their twins
``migrations/postgresql/NNNN_name.sql``, applied in order inside one transaction
each and recorded in ``schema_migrations``. A PostgreSQL migration has a shared
part (tables in ``public``) and a ``-- @user`` part applied to each user's schema
when that user's store is opened.
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
from . import notifications
from .engine import (advisory_key, thread_connection, database_errors, integrity_errors, is_postgres_url,
                     redact_url, split_scopes, split_sql, user_schema)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# Kept importable under its old name.
_split_sql = split_sql


def available_migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, name, sql) of every bundled migration of ``dialect``, in order."""
    folder = resources.files("sync.store").joinpath("migrations")
    if dialect == "postgresql":
        folder = folder.joinpath("postgresql")
    found = []
    for entry in folder.iterdir():
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
    """Connection handling shared by every store mixin.

    ``Store(path)`` opens (or creates) a SQLite store; ``Store("postgresql://...")`` a
    PostgreSQL one, as the single user (``user_id=None``) or as lab user ``user_id``.
    """

    @property
    def IntegrityError(self) -> tuple[type[BaseException], ...]:  # noqa: N802 - reads like the exception class
        """Exceptions a violated constraint raises, whichever the engine (psycopg imported only when asked)."""
        return integrity_errors()

    def __init__(self, target: Path | str, *, user_id: int | None = None):
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._generation = 0  # bumped by every commit through this Store
        self._connection_serials = itertools.count(1)
        self.user_id = user_id
        if is_postgres_url(target):
            self.dialect = "postgresql"
            self.url = str(target)
            self.schema = user_schema(user_id)
            self.path = None
        else:
            if user_id is not None:
                raise StorageError("lab users need a PostgreSQL store (setting store.url)")
            self.dialect = "sqlite"
            self.url = None
            self.schema = None
            self.path = Path(target)
            if str(target) != ":memory:":
                make_private(self.path)
        self.migrate()

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def location(self) -> str:
        """Where the store is, safe to print (no password)."""
        if self.is_postgres:
            return f"{redact_url(self.url)} (schema {self.schema})"
        return str(self.path)

    def listen_for_changes(self) -> None:
        """This process serves the API: count change notifications instead of asking for change
        markers at every request (PostgreSQL only; see :mod:`sync.store.notifications`)."""
        if self.is_postgres:
            notifications.enable(self.url)

    def for_user(self, user_id: int | None) -> "StoreBase":
        """The same database seen as another user (PostgreSQL only)."""
        return type(self)(self.url if self.is_postgres else self.path, user_id=user_id)

    # connections -----------------------------------------------------------------
    @property
    def conn(self):
        if self.is_postgres:  # the thread's shared connection, on this store's schema
            conn = thread_connection(self.url, self.schema)
            self._local.conn = conn
            return conn
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.serial = next(self._connection_serials)
        return conn

    @property
    def qualified_conn(self):
        """PostgreSQL: this thread's connection as it is, on whichever user's schema it points at.
        Only for SQL that names the schema of every table it reads (``public.users``): it saves
        the ``SET search_path`` round trip when the worker's previous request was another user's."""
        return thread_connection(self.url, self.schema, switch=False)

    def _connect(self):
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
    def transaction(self) -> Iterator:
        """One write transaction; rolled back on any exception. Re-entrant per thread.

        SQLite: ``BEGIN IMMEDIATE`` (one writer at a time). PostgreSQL: writers of the same
        user schema are serialised by an advisory lock, which gives the same guarantee
        (read-then-write sequences in a transaction see no interleaved writer).
        """
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
            if self.is_postgres:
                yield from self._pg_transaction(conn)
                return
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

    def _pg_transaction(self, conn):
        """Counters and notifications: the transaction bumps its scope's change counter (the user's
        ``users.changes``, or the single-user schema's ``store_changes``) and, when it wrote shared
        tables, the one in ``public``; it notifies each scope it changed (``paperfeed_changes``,
        delivered at commit; :mod:`sync.store.notifications`), and users whose row an admin changed."""
        import psycopg

        self._local.depth = 1
        conn.wrote_shared = False
        conn.changed_users = set()
        try:
            with conn.raw.transaction():
                conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(self.schema),))
                if self.user_id is not None:
                    # first, so that the user's row is locked before any of their tables: an admin
                    # removing the user (row, then schema) waits for this transaction, never deadlocks
                    conn.raw.execute("UPDATE public.users SET changes = changes + 1 WHERE id = %s", (self.user_id,))
                yield conn
                if self.user_id is None:
                    conn.raw.execute("UPDATE store_changes SET n = n + 1")
                scopes = {self.schema, *conn.changed_users}
                if conn.wrote_shared:
                    conn.raw.execute("UPDATE public.store_changes SET n = n + 1")
                    scopes.add(notifications.SHARED)
                conn.raw.execute(notifications.notify_sql(), (sorted(scopes),))
        except psycopg.OperationalError as exc:
            raise StorageError(f"store {self.location}: {exc}") from exc
        finally:
            self._local.depth = 0
            conn.wrote_shared = False
            conn.changed_users = set()
        self._generation += 1
        notifications.note_commit(self.url, scopes)

    def query(self, sql: str, params: tuple | dict = ()) -> list:
        try:
            return self.conn.execute(sql, params).fetchall()
        except database_errors() as exc:
            raise StorageError(f"store query failed: {exc}") from exc

    # migrations ------------------------------------------------------------------
    def schema_version(self) -> int:
        rows = self.conn.execute("SELECT max(number) FROM schema_migrations").fetchone()
        return rows[0] or 0

    def migrate(self) -> None:
        if self.is_postgres:
            self._migrate_postgres()
            return
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
                    for statement in split_sql(sql):
                        conn.execute(statement)
                except sqlite3.DatabaseError as exc:
                    raise StorageError(f"migration {name} failed: {exc}") from exc
                conn.execute("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", (number, name))

    def _migrate_postgres(self) -> None:
        """Shared part into ``public``, user part into this store's schema; one migrator at a time."""
        import psycopg

        raw = self.conn.raw
        create = ("CREATE TABLE IF NOT EXISTS {}.schema_migrations (number INTEGER PRIMARY KEY,"
                  " name TEXT NOT NULL, applied_at TEXT NOT NULL"
                  " DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))")
        try:
            with raw.transaction():
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key("paperfeed-migrate"),))
                raw.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
                for schema in ("public", self.schema):
                    raw.execute(create.format(schema))
                    raw.execute(f"CREATE TABLE IF NOT EXISTS {schema}.store_changes"
                                " (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL DEFAULT 0)")
                    raw.execute(f"INSERT INTO {schema}.store_changes (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING")
                done = {scope: {r[0] for r in raw.execute(f"SELECT number FROM {schema}.schema_migrations")}
                        for scope, schema in (("shared", "public"), ("user", self.schema))}
                for number, name, sql in available_migrations("postgresql"):
                    shared_sql, user_sql = split_scopes(sql)
                    for scope, schema, part in (("shared", "public", shared_sql), ("user", self.schema, user_sql)):
                        if number in done[scope]:
                            continue
                        raw.execute(f"SET LOCAL search_path TO {schema}" + (", public" if scope == "user" else ""))
                        for statement in split_sql(part):
                            raw.execute(statement)
                        raw.execute(f"INSERT INTO {schema}.schema_migrations (number, name) VALUES (%s, %s)",
                                    (number, name))
        except psycopg.Error as exc:
            raise StorageError(f"migrating {self.location} failed: {exc}") from exc
        raw.execute(f"SET search_path TO {self.schema}, public")
        self.conn.schema = self.schema

    def change_marker(self) -> tuple:
        """A value that changes whenever the store's content may have changed.

        Commits through this object bump a counter. On SQLite, ``data_version`` changes when
        any other connection (another thread's, or another process such as a CLI
        ``paperfeed daily``) commits; it counts per connection, so the marker carries the
        calling thread's connection serial: equal markers mean the same connection saw no
        change in between. On PostgreSQL every write transaction bumps its user's counter
        (``users.changes``; without a user, the ``store_changes`` row of the single-user schema)
        and the one in ``public`` when it wrote shared tables, so the marker of a user moves with
        their own writes and with shared ones, not with other users'. (The API reads a lab
        user's marker with their token, in one query: ``user_and_marker_by_token_hash``.) In a
        server process that listens for changes (:mod:`sync.store.notifications`) the marker is the
        listener's count of notifications instead, without a query, while the listener is healthy.
        """
        if self.is_postgres:
            listener = notifications.listener(self.url)
            marker = listener.marker(self.schema) if listener is not None else None
            if marker is not None:
                return marker
            if self.user_id is None:
                sql = f"SELECT (SELECT n FROM {self.schema}.store_changes), (SELECT n FROM public.store_changes)"
                row = self.qualified_conn.execute(sql).fetchone()
            else:
                row = self.qualified_conn.execute("SELECT (SELECT changes FROM public.users WHERE id = ?),"
                                                  " (SELECT n FROM public.store_changes)", (self.user_id,)).fetchone()
            return self.schema, row[0], row[1]
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return self._local.serial, self._generation, version

    def check(self) -> bool:
        """True when the store answers a trivial query (for health checks)."""
        try:
            self.conn.execute("SELECT 1").fetchone()
            return True
        except database_errors():
            return False
