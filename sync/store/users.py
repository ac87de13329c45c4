"""A lab server's users (PostgreSQL only): who they are, their token hash, settings, secrets.

Each user's own tables live in the schema ``user_<id>`` (see :mod:`sync.store.engine`);
:meth:`UsersMixin.user_store` opens the store as that user. Tokens arrive here already
hashed and Zotero credentials already encrypted: this module never sees a secret in clear.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..clock import utc_iso
from ..errors import InvalidInputError, NotFoundError, StorageError
from . import notifications
from .engine import database_errors, user_schema


_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    settings: dict = field(default_factory=dict)
    has_token: bool = False
    has_zotero: bool = False
    created_at: str = ""
    last_cycle_at: str | None = None
    last_problem: str = ""
    zotero_sealed: str = field(default="", repr=False)  # encrypted credentials (sync.lab decrypts)

    @property
    def schema(self) -> str:
        return user_schema(self.id)


def _user(row) -> User:
    return User(id=row["id"], name=row["name"], email=row["email"], settings=json.loads(row["settings"]),
                has_token=bool(row["token_hash"]), has_zotero=bool(row["zotero"]), created_at=row["created_at"],
                last_cycle_at=row["last_cycle_at"], last_problem=row["last_problem"], zotero_sealed=row["zotero"])


class UsersMixin:
    def _require_lab(self) -> None:
        if not self.is_postgres:
            raise StorageError("users need a lab server: set store.url to a PostgreSQL database (docs/lab.md)")

    def _user_changed(self, conn, user_id: int) -> None:
        """In a transaction that changed the user's row: notify their scope at commit (a server drops
        the tokens it remembered for them; see :mod:`sync.store.notifications`)."""
        if self.is_postgres:
            conn.changed_users.add(user_schema(user_id))

    def add_user(self, name: str, *, email: str = "", token_hash: str | None = None,
                 settings: dict | None = None) -> User:
        self._require_lab()
        name = name.strip()
        if not _USER_NAME.match(name):
            raise InvalidInputError("user name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter"
                                    f" or digit (got {name!r})")
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InvalidInputError(f"user {name!r} exists already", details={"user": name})
            row = conn.execute(
                "INSERT INTO users (name, email, token_hash, settings, created_at) VALUES (?, ?, ?, ?, ?)"
                " RETURNING *", (name, email, token_hash, json.dumps(settings or {}), utc_iso())).fetchone()
            self._user_changed(conn, row["id"])
        user = _user(row)
        self.user_store(user.id).close()  # creates and migrates the user's schema
        return user

    def users(self) -> list[User]:
        self._require_lab()
        return [_user(r) for r in self.query("SELECT * FROM users ORDER BY name")]

    def user(self, name: str) -> User:
        self._require_lab()
        rows = self.query("SELECT * FROM users WHERE name = ?", (name,))
        if not rows:
            raise NotFoundError(f"no user {name!r}", details={"user": name})
        return _user(rows[0])

    def user_by_id(self, user_id: int) -> User | None:
        self._require_lab()
        rows = self.query("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def user_token_hash(self, user_id: int) -> str | None:
        """The stored hash of a user's API token (None when they have none)."""
        self._require_lab()
        rows = self.query("SELECT token_hash FROM users WHERE id = ?", (user_id,))
        return rows[0]["token_hash"] if rows else None

    def user_by_token_hash(self, token_hash: str) -> User | None:
        found = self.user_and_marker_by_token_hash(token_hash)
        return found[0] if found else None

    def user_and_marker_by_token_hash(self, token_hash: str) -> tuple[User, tuple] | None:
        """The user whose token hash this is and their store's change marker (what
        ``user_store(id).change_marker()`` returns without a listener), in one query on whatever
        schema this thread's connection points at. Read at every call, never cached (the API asks
        :meth:`user_and_marker_for_request`, which runs this query only on a miss of its token map)."""
        if not self.is_postgres:
            return None
        try:
            row = self.qualified_conn.execute(
                "SELECT u.*, s.n AS shared_changes FROM public.users u CROSS JOIN public.store_changes s"
                " WHERE u.token_hash = ?", (token_hash,)).fetchone()
        except database_errors() as exc:
            raise StorageError(f"store query failed: {exc}") from exc
        if row is None:
            return None
        return _user(row), (user_schema(row["id"]), row["changes"], row["shared_changes"])

    def user_and_marker_for_request(self, token_hash: str) -> tuple[User, tuple] | None:
        """What :meth:`user_and_marker_by_token_hash` returns, as the API asks it at every request.

        In a server process that listens for changes (:mod:`sync.store.notifications`), from the
        process's map of tokens without any query while the listener is healthy (a miss runs the
        query and fills the map; any notification about a user drops their entries, so a rotated
        or removed token is refused once its notification has arrived); otherwise the query.
        """
        if not self.is_postgres:
            return None
        listener = notifications.listener(self.url)
        ticket = None
        if listener is not None:
            user, marker, ticket = listener.lookup_token(token_hash)
            if user is not None:
                return user, marker
        found = self.user_and_marker_by_token_hash(token_hash)
        if found is None or ticket is None:
            return found
        user, read_marker = found
        return user, listener.remember_token(token_hash, user, ticket) or read_marker

    def remove_user(self, name: str) -> User:
        """Delete the user and everything of theirs (their schema); shared papers stay."""
        user = self.user(name)
        with self.transaction() as conn:
            conn.execute("DELETE FROM users WHERE id = ?", (user.id,))
            self._user_changed(conn, user.id)
            conn.execute(f"DROP SCHEMA IF EXISTS {user.schema} CASCADE")
        return user

    def set_user_token_hash(self, name: str, token_hash: str) -> None:
        user = self.user(name)
        with self.transaction() as conn:
            conn.execute("UPDATE users SET token_hash = ? WHERE id = ?", (token_hash, user.id))
            self._user_changed(conn, user.id)

    def set_user_settings(self, name: str, settings: dict) -> User:
        user = self.user(name)
        with self.transaction() as conn:
            conn.execute("UPDATE users SET settings = ? WHERE id = ?", (json.dumps(settings), user.id))
            self._user_changed(conn, user.id)
        return self.user(name)

    def set_user_email(self, name: str, email: str) -> None:
        user = self.user(name)
        with self.transaction() as conn:
            conn.execute("UPDATE users SET email = ? WHERE id = ?", (email, user.id))
            self._user_changed(conn, user.id)

    def set_user_zotero_secret(self, name: str, ciphertext: str) -> None:
        user = self.user(name)
        with self.transaction() as conn:
            conn.execute("UPDATE users SET zotero = ? WHERE id = ?", (ciphertext, user.id))
            self._user_changed(conn, user.id)

    def user_zotero_secret(self, user_id: int) -> str:
        self._require_lab()
        rows = self.query("SELECT zotero FROM users WHERE id = ?", (user_id,))
        return rows[0][0] if rows else ""

    def note_user_cycle(self, user_id: int, problem: str) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE users SET last_cycle_at = ?, last_problem = ? WHERE id = ?",
                         (utc_iso(), problem[:2000], user_id))
            self._user_changed(conn, user_id)

    def user_store(self, user_id: int | None):
        """This database seen as user ``user_id`` (their tables; the shared ones are the same)."""
        self._require_lab()
        return self.for_user(user_id)
