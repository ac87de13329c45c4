"""Change notifications between processes on PostgreSQL (``LISTEN``/``NOTIFY``), for the API's caches.

Every PostgreSQL write transaction of the store sends ``NOTIFY paperfeed_changes`` with one
payload per scope it changed (see :meth:`StoreBase._pg_transaction`): ``user_<id>`` (a user's
tables, or their row in ``users``: token, settings, key, removal), ``single_user`` (the single-user
schema) or ``shared`` (the tables everybody shares); ``all`` (sent by hand, after changing tables
with SQL outside paperfeed) moves every marker and forgets every token. PostgreSQL delivers a
notification only when its transaction commits, after its data is visible to every other connection.

A server process (:func:`enable`) keeps one :class:`ChangeListener` per database: one dedicated
autocommit connection doing ``LISTEN``, opened at first use and again after ``fork`` (gunicorn
workers), shared by the process's threads under a lock. At each request the listener reads what
has arrived, without blocking, and counts it (a local generation per scope). While it is healthy:

- :meth:`ChangeListener.marker` is a store's change marker without a query (its scope's generation
  and the shared one; the listener's connection number makes markers of an earlier connection,
  which may have missed notifications, never equal to new ones);
- it keeps a map token hash -> lab user, so an authenticated request runs no SQL at all; any
  notification about a user drops their entries.

When the listener's connection breaks (or cannot be opened), the map is dropped, every marker and
token lookup falls back to the per-request query (correct, one round trip slower), and a new
connection is tried at most every :data:`RETRY_SECONDS`. The price: a change from another process
(a rotated or removed token, a write by another worker or a CLI) is seen when its notification
arrives (normally well under a millisecond after the commit), not strictly by the next request.
Commits of this process count at once (:func:`note_commit`), without waiting for the notification.

Notifications are read only when a request comes: a worker that serves nothing for a long time
leaves them in its socket and PostgreSQL's notification queue (a few dozen bytes each) until then.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Iterable

CHANNEL = "paperfeed_changes"
SHARED = "shared"
EVERYTHING = "all"  # for an admin who changed tables by hand: NOTIFY paperfeed_changes, 'all'
RETRY_SECONDS = 2.0  # after a failed or broken listener connection, at most one attempt this often
MAX_TOKENS = 20_000  # the token map is emptied when it grows past this (tokens of users who came and went)

log = logging.getLogger(__name__)
_CONNECTION_OK = 0  # libpq's CONNECTION_OK (psycopg.pq.ConnStatus.OK), without importing psycopg here

_NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', scope) FROM unnest(%s::text[]) AS scope"


def notify_sql() -> str:
    """The statement (psycopg ``%s`` style, one text-array parameter) a write transaction sends."""
    return _NOTIFY_SQL


class ChangeListener:
    """One process's view of the store's changes on the database at ``url`` (see the module)."""

    def __init__(self, url: str):
        self.url = url
        self.pid = os.getpid()
        self.retry_seconds = RETRY_SECONDS
        self.connections = 0  # connections opened so far (each starts a new generation epoch)
        self.failures = 0  # connections lost or refused
        self._lock = threading.Lock()
        self._conn: Any = None
        self._lost = False  # set by the notice handler when the server ends the connection
        self._warned = False  # a loss was logged (its recovery will be)
        self._retry_at = 0.0
        self._seq = 0  # events counted since the connection was opened
        self._epoch = 0  # the _seq of the last "all" event
        self._generations: dict[str, int] = {}  # scope -> the _seq of its newest event
        self._tokens: dict[str, Any] = {}  # token hash -> User
        self._tokens_of: dict[str, set[str]] = {}  # user schema -> its token hashes

    # ---------------------------------------------------------------- connection
    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend of the listening connection (None when there is none)."""
        with self._lock:
            return self._conn.info.backend_pid if self._conn is not None else None

    def _connect(self) -> bool:
        import psycopg

        conn = None
        try:
            conn = psycopg.connect(self.url, autocommit=True, application_name="paperfeed-listener",
                                   connect_timeout=5, keepalives=1, keepalives_idle=10, keepalives_interval=5,
                                   keepalives_count=3)
            conn.add_notice_handler(self._on_notice)
            conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            if conn is not None:
                conn.close()
            self.failures += 1
            self._retry_at = time.monotonic() + self.retry_seconds
            if not self._warned:  # once, not at every retry of a long outage
                self._warned = True
                log.warning("cannot listen for store changes (%s); asking the database at every request",
                            type(exc).__name__)
            return False
        if self._warned:
            self._warned = False
            log.warning("listening for store changes again")
        self._conn = conn
        self.connections += 1
        self._seq = self._epoch = 0
        self._generations = {}
        self._forget_tokens()
        return True

    def _on_notice(self, diagnostic) -> None:
        # An error out of the blue (pg_terminate_backend, the server shutting down) arrives as a
        # notice before the socket closes: stop trusting this connection at once.
        if (diagnostic.severity_nonlocalized or "") in ("FATAL", "PANIC", "ERROR"):
            self._lost = True

    def _drop(self) -> None:
        """The connection is lost: fall back to queries, try again in ``retry_seconds``."""
        conn, self._conn = self._conn, None
        self.failures += 1
        self._warned = True
        log.warning("lost the connection listening for store changes; asking the database at every request"
                    " until it is back")
        self._forget_tokens()
        self._retry_at = time.monotonic() + self.retry_seconds
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone either way
            pass

    def _poll(self) -> bool:
        """Under the lock: count what has arrived. False when there is no healthy connection."""
        if self._conn is None:
            if time.monotonic() < self._retry_at or not self._connect():
                return False
        pgconn = self._conn.pgconn
        self._lost = False
        try:
            pgconn.consume_input()  # non-blocking: libpq's socket never blocks
            while True:
                event = pgconn.notifies()
                if event is None:
                    break
                self._event(event.extra.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - psycopg.OperationalError, or anything odd: distrust the connection
            self._drop()
            return False
        if self._lost or pgconn.status != _CONNECTION_OK:
            self._drop()
            return False
        return True

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self.pid == os.getpid():
                self._conn.close()
            self._conn = None
            self._forget_tokens()

    # -------------------------------------------------------------------- events
    def _event(self, scope: str) -> None:
        self._seq += 1
        if scope == EVERYTHING:  # every marker moves (the epoch does), every token is looked up again
            self._epoch = self._seq
            self._generations = {}
            self._forget_tokens()
            return
        self._generations[scope] = self._seq
        for token_hash in self._tokens_of.pop(scope, ()):
            self._tokens.pop(token_hash, None)

    def _forget_tokens(self) -> None:
        self._tokens.clear()
        self._tokens_of.clear()

    def note_commit(self, scopes: Iterable[str]) -> None:
        """A commit of this process changed ``scopes``: count it now (its notification comes later)."""
        with self._lock:
            if self._conn is not None:
                for scope in scopes:
                    self._event(scope)

    def _marker(self, schema: str) -> tuple:
        # the process and connection: a page cached under another connection's count (which may have
        # missed notifications while no connection listened) or a parent process's is never reused
        return ("notified", self.pid, self.connections, self._epoch, schema, self._generations.get(schema, 0),
                self._generations.get(SHARED, 0))

    def marker(self, schema: str) -> tuple | None:
        """The change marker of ``schema``'s store without a query, or None when not listening."""
        with self._lock:
            return self._marker(schema) if self._poll() else None

    # -------------------------------------------------------------------- tokens
    def lookup_token(self, token_hash: str) -> tuple[Any, tuple | None, tuple | None]:
        """(user, marker, None) from the map; (None, None, ticket) when the caller must query and
        then call :meth:`remember_token` with the ticket; (None, None, None) when not listening."""
        with self._lock:
            if not self._poll():
                return None, None, None
            user = self._tokens.get(token_hash)
            if user is not None:
                return user, self._marker(user.schema), None
            return None, None, (self.connections, self._seq)

    def remember_token(self, token_hash: str, user, ticket: tuple) -> tuple | None:
        """After a lookup's query found ``user``: keep them in the map and return their marker, unless
        a notification about them arrived meanwhile (their row may be older than it: then None, and
        the caller keeps the marker its query read)."""
        with self._lock:
            connection, seq = ticket
            if self._conn is None or connection != self.connections or self._epoch > seq \
                    or self._generations.get(user.schema, 0) > seq:
                return None
            if len(self._tokens) >= MAX_TOKENS:
                self._forget_tokens()
            self._tokens[token_hash] = user
            self._tokens_of.setdefault(user.schema, set()).add(token_hash)
            return self._marker(user.schema)


# ------------------------------------------------------------------ per process
_registry_lock = threading.Lock()
_enabled: set[str] = set()
_listeners: dict[str, ChangeListener] = {}
_inherited: list[ChangeListener] = []  # a parent's listeners after fork: never used, never closed here


def enable(url: str) -> None:
    """This process serves the API on ``url``: listen for changes (the connection opens at first use)."""
    with _registry_lock:
        _enabled.add(url)


def disable(url: str) -> None:
    with _registry_lock:
        _enabled.discard(url)
        listener = _listeners.pop(url, None)
    if listener is not None:
        listener.close()


def listener(url: str | None) -> ChangeListener | None:
    """This process's listener on ``url`` (a new one after ``fork``), or None when not enabled."""
    if url is None or url not in _enabled:
        return None
    found = _listeners.get(url)
    if found is not None and found.pid == os.getpid():
        return found
    with _registry_lock:
        found = _listeners.get(url)
        if found is None or found.pid != os.getpid():
            if found is not None:
                _inherited.append(found)  # its socket is the parent's: closing it here would end the parent's
            found = _listeners[url] = ChangeListener(url)
        return found


def note_commit(url: str, scopes: Iterable[str]) -> None:
    """Called by the store after each PostgreSQL commit (see :class:`ChangeListener.note_commit`)."""
    found = _listeners.get(url)
    if found is not None and found.pid == os.getpid():
        found.note_commit(scopes)
