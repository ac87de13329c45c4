"""Fetch runs: when, what, and the outcome, so "no announcement" and "unreachable" stay visible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..clock import utc_iso
from ..models import FetchOutcome


@dataclass(frozen=True)
class FetchRun:
    id: int
    started_at: str
    finished_at: str | None
    kind: str
    query: str
    announce_date: date | None
    outcome: FetchOutcome
    new_count: int
    cross_count: int
    updated_count: int
    message: str


class RunsMixin:
    def start_fetch_run(self, *, kind: str, query: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO fetch_runs (started_at, kind, query, outcome) VALUES (?, ?, ?, ?) RETURNING id",
                (utc_iso(), kind, query, FetchOutcome.RUNNING.value),
            )
            return cur.fetchone()[0]

    def finish_fetch_run(self, run_id: int, *, outcome: FetchOutcome, announce_date: date | None = None,
                         new: int = 0, cross: int = 0, updated: int = 0, message: str = "") -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE fetch_runs SET finished_at = ?, outcome = ?, announce_date = ?, new_count = ?,"
                " cross_count = ?, updated_count = ?, message = ? WHERE id = ?",
                (utc_iso(), outcome.value, announce_date.isoformat() if announce_date else None,
                 new, cross, updated, message[:2000], run_id),
            )

    def fetch_runs(self, *, limit: int = 20, kind: str | None = None) -> list[FetchRun]:
        sql, params = "SELECT * FROM fetch_runs", []
        if kind:
            sql += " WHERE kind = ?"
            params.append(kind)
        rows = self.query(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            FetchRun(
                id=r["id"], started_at=r["started_at"], finished_at=r["finished_at"], kind=r["kind"],
                query=r["query"],
                announce_date=date.fromisoformat(r["announce_date"]) if r["announce_date"] else None,
                outcome=FetchOutcome(r["outcome"]), new_count=r["new_count"], cross_count=r["cross_count"],
                updated_count=r["updated_count"], message=r["message"],
            )
            for r in rows
        ]

    def last_fetch_run(self, kind: str | None = None) -> FetchRun | None:
        runs = self.fetch_runs(limit=1, kind=kind)
        return runs[0] if runs else None
