"""The two database engines under the store: SQLite (default) and PostgreSQL (a lab server).

The store's SQL is written once, in the common subset both engines speak (``?``
placeholders, ``INSERT ... ON CONFLICT``, ``RETURNING``). This module holds what
differs: opening a connection, the placeholder style, rows readable by name and
position, transactions, and where the tables live.

On PostgreSQL (driver: psycopg 3) the tables shared by all users (papers,
announcements, keyword hits, fetch runs, the embedding cache, locks, cycle runs,
users) live in the ``public`` schema; every user's own tables (rankings,
feedback, library index, outbox, ...) live in a schema of their own,
``user_<id>`` (``single_user`` when no user is named). Each connection's
``search_path`` is ``<user schema>, public``, so the same SQL reads and writes the
right user's tables and nothing in the store names a user: one user's
connection cannot see another's rows because it cannot name their tables.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from typing import Any, Iterable, Sequence

from ..errors import StorageError

SINGLE_USER_SCHEMA = "single_user"

#: Tables shared by every user on PostgreSQL (the rest are per user).
SHARED_TABLES = frozenset({"papers", "announcements", "keyword_hits", "fetch_runs", "embeddings", "locks",
                           "cycle_runs", "users", "schema_migrations", "store_changes"})

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_WRITE_TARGET = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_.]+)", re.IGNORECASE)


def is_postgres_url(target: Any) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def user_schema(user_id: int | None) -> str:
    return SINGLE_USER_SCHEMA if user_id is None else f"user_{int(user_id)}"


def redact_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:****@", url)


def integrity_errors() -> tuple[type[BaseException], ...]:
    """Exception classes an engine raises for a violated constraint."""
    errors: list[type[BaseException]] = [sqlite3.IntegrityError]
    try:
        import psycopg

        errors.append(psycopg.IntegrityError)
    except ImportError:  # pragma: no cover - the postgres extra is not installed
        pass
    return tuple(errors)


def database_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.DatabaseError]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


# ---------------------------------------------------------------------------------- rows
class Row(tuple):
    """A result row readable by position and by column name, like :class:`sqlite3.Row`."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


_row_classes: dict[tuple[str, ...], type] = {}


def _row_class(names: tuple[str, ...]) -> type:
    cls = _row_classes.get(names)
    if cls is None:
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            index.setdefault(name, i)  # like sqlite3.Row: the first column of that name
        cls = type("Row", (Row,), {"__slots__": (), "_index": index})
        _row_classes[names] = cls
    return cls


def _row_factory(cursor):
    description = cursor.description
    if description is None:
        return tuple
    cls = _row_class(tuple(column.name for column in description))
    return cls


# ------------------------------------------------------------------------- placeholders
_translated: dict[str, str] = {}


def to_pyformat(sql: str) -> str:
    """``?`` placeholders to psycopg's ``%s`` (and a literal ``%`` to ``%%``), outside quotes."""
    cached = _translated.get(sql)
    if cached is not None:
        return cached
    out, quote = [], None
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    result = "".join(out)
    if len(_translated) < 4096:
        _translated[sql] = result
    return result


# ---------------------------------------------------------------------------- PostgreSQL
class PgConnection:
    """A psycopg connection that takes the store's ``?`` SQL and notes writes to shared tables."""

    def __init__(self, url: str, schema: str):
        try:
            import psycopg
        except ImportError as exc:
            raise StorageError("store.url names PostgreSQL but psycopg is not installed "
                               "(pip install 'paperfeed[postgres]')") from exc
        if not _SCHEMA_NAME.match(schema):
            raise StorageError(f"bad schema name {schema!r}")
        try:
            self.raw = psycopg.connect(url, autocommit=True, row_factory=_row_factory,
                                       application_name="paperfeed")
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to {redact_url(url)}: {exc}") from exc
        self.schema = schema
        self.wrote_shared = False
        self.changed_users: set[str] = set()  # schemas of users whose row the transaction changed
        self.raw.execute(f"SET search_path TO {schema}, public")

    def execute(self, sql: str, params: Sequence | dict = ()):
        if self.raw.info.transaction_status != 0:  # inside a transaction: note shared writes
            match = _WRITE_TARGET.match(sql)
            if match and match.group(1).split(".")[-1].lower() in SHARED_TABLES:
                self.wrote_shared = True
        return self.raw.execute(to_pyformat(sql), tuple(params) if not isinstance(params, dict) else params)

    def executemany(self, sql: str, rows: Iterable[Sequence]):
        match = _WRITE_TARGET.match(sql)
        if match and match.group(1).split(".")[-1].lower() in SHARED_TABLES:
            self.wrote_shared = True
        with self.raw.cursor() as cur:
            cur.executemany(to_pyformat(sql), [tuple(r) for r in rows])
            return cur

    def use_schema(self, schema: str) -> None:
        """Point this connection at another user's schema (between transactions only)."""
        if not _SCHEMA_NAME.match(schema):
            raise StorageError(f"bad schema name {schema!r}")
        if self.raw.info.transaction_status != 0:
            raise StorageError("cannot switch user schema inside a transaction")
        self.raw.execute(f"SET search_path TO {schema}, public")
        self.schema = schema

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def close(self) -> None:
        self.raw.close()


_thread_connections = threading.local()


def thread_connection(url: str, schema: str, *, switch: bool = True) -> PgConnection:
    """This thread's connection to ``url``, pointed at ``schema``.

    One connection per thread and database, shared by every user's store: a server worker that
    serves 50 users holds one connection, not 50 (PostgreSQL allows ~100 by default). A store
    switches the ``search_path`` to its user's schema when it takes the connection; with
    ``switch=False`` the connection is returned on whatever schema it is (for SQL that names its
    schemas, which then saves the ``SET search_path`` round trip).
    """
    connections = getattr(_thread_connections, "by_url", None)
    if connections is None:
        connections = _thread_connections.by_url = {}
    conn = connections.get(url)
    if conn is None or conn.closed:
        conn = connections[url] = PgConnection(url, schema)
    elif switch and conn.schema != schema:
        conn.use_schema(schema)
    return conn


def advisory_key(name: str) -> int:
    """A stable 63-bit key for ``pg_advisory_xact_lock``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def split_sql(script: str) -> list[str]:
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


def split_scopes(script: str) -> tuple[str, str]:
    """A PostgreSQL migration's ``-- @shared`` part (the default) and its ``-- @user`` part."""
    parts = {"shared": [], "user": []}
    scope = "shared"
    for line in script.splitlines():
        marker = line.strip().lower()
        if marker in ("-- @shared", "-- @user"):
            scope = marker[4:]
            continue
        parts[scope].append(line)
    return "\n".join(parts["shared"]), "\n".join(parts["user"])
