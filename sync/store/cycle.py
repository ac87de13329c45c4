"""Cross-process locks, daily-cycle runs and deliveries.

The lock is a row taken inside one ``BEGIN IMMEDIATE`` transaction, so two
processes can never both hold it; a row past its expiry is stale and is taken
over, so a crashed holder cannot block the cycle for ever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..clock import utc_iso
from ..errors import StorageError


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class LockHolder:
    name: str
    token: str
    owner_pid: int
    owner_host: str
    acquired_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class CycleRun:
    id: int
    started_at: str
    finished_at: str | None
    day: date | None
    sample: bool
    status: str
    steps: list[dict]
    message: str


def _holder(row) -> LockHolder:
    return LockHolder(row["name"], row["token"], row["owner_pid"], row["owner_host"],
                      _parse(row["acquired_at"]), _parse(row["expires_at"]))


class CycleMixin:
    # locks ---------------------------------------------------------------------------
    def try_acquire_lock(self, name: str, *, token: str, pid: int, host: str, ttl_seconds: float,
                         now: datetime) -> LockHolder | None:
        """Take lock ``name``; None when taken, else the live holder (nothing changed).

        An expired row is replaced: its holder is presumed dead.
        """
        for _ in range(5):  # the holder may release between our two statements (PostgreSQL)
            holder = self._try_lock_once(name, token=token, pid=pid, host=host, ttl_seconds=ttl_seconds, now=now)
            if holder is not False:
                return holder
        raise StorageError(f"lock {name!r} changed hands too often to be taken")

    def _try_lock_once(self, name, *, token, pid, host, ttl_seconds, now):
        with self.transaction() as conn:
            # One statement, atomic on both engines: insert, or take over an expired (or our own) row.
            cur = conn.execute(
                "INSERT INTO locks (name, token, owner_pid, owner_host, acquired_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET token = excluded.token,"
                " owner_pid = excluded.owner_pid, owner_host = excluded.owner_host,"
                " acquired_at = excluded.acquired_at, expires_at = excluded.expires_at"
                " WHERE locks.expires_at <= ? OR locks.token = excluded.token",
                (name, token, pid, host, utc_iso(now), utc_iso(now + timedelta(seconds=ttl_seconds)),
                 utc_iso(now)),
            )
            if cur.rowcount == 1:
                return None
            row = conn.execute("SELECT * FROM locks WHERE name = ?", (name,)).fetchone()
        return _holder(row) if row is not None else False

    def refresh_lock(self, name: str, *, token: str, ttl_seconds: float, now: datetime) -> bool:
        """Push the expiry forward; False when we no longer hold the lock."""
        with self.transaction() as conn:
            cur = conn.execute("UPDATE locks SET expires_at = ? WHERE name = ? AND token = ?",
                               (utc_iso(now + timedelta(seconds=ttl_seconds)), name, token))
            return cur.rowcount == 1

    def release_lock(self, name: str, *, token: str) -> bool:
        """Release only our own lock (a holder that lost it to expiry must not free the next one)."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM locks WHERE name = ? AND token = ?", (name, token)).rowcount == 1

    def lock_holder(self, name: str) -> LockHolder | None:
        rows = self.query("SELECT * FROM locks WHERE name = ?", (name,))
        return _holder(rows[0]) if rows else None

    # cycle runs ----------------------------------------------------------------------
    def start_cycle_run(self, *, day: date | None, sample: bool) -> int:
        with self.transaction() as conn:
            return conn.execute(
                "INSERT INTO cycle_runs (started_at, day, sample, status) VALUES (?, ?, ?, 'running') RETURNING id",
                (utc_iso(), day.isoformat() if day else None, int(sample)),
            ).fetchone()[0]

    def finish_cycle_run(self, run_id: int, *, status: str, day: date | None, steps: list[dict],
                         message: str = "") -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE cycle_runs SET finished_at = ?, status = ?, day = ?, steps = ?, message = ?"
                " WHERE id = ?",
                (utc_iso(), status, day.isoformat() if day else None,
                 json.dumps(steps, ensure_ascii=False), message[:2000], run_id),
            )

    def cycle_runs(self, *, limit: int = 20) -> list[CycleRun]:
        rows = self.query("SELECT * FROM cycle_runs ORDER BY id DESC LIMIT ?", (limit,))
        return [
            CycleRun(r["id"], r["started_at"], r["finished_at"],
                     date.fromisoformat(r["day"]) if r["day"] else None, bool(r["sample"]), r["status"],
                     json.loads(r["steps"]), r["message"])
            for r in rows
        ]

    def last_cycle_run(self) -> CycleRun | None:
        runs = self.cycle_runs(limit=1)
        return runs[0] if runs else None

    # deliveries ----------------------------------------------------------------------
    def delivery_fingerprint(self, day: date, kind: str, channel: str) -> str | None:
        rows = self.query("SELECT fingerprint FROM deliveries WHERE day = ? AND kind = ? AND channel = ?",
                          (day.isoformat(), kind, channel))
        return rows[0][0] if rows else None

    def record_delivery(self, day: date, kind: str, channel: str, fingerprint: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (day, kind, channel, fingerprint, delivered_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (day, kind, channel) DO UPDATE SET fingerprint = excluded.fingerprint,"
                " delivered_at = excluded.delivered_at",
                (day.isoformat(), kind, channel, fingerprint, utc_iso()),
            )
