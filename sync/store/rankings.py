"""Rankings per day, the user's feedback, rank runs, and the embedding cache."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

import numpy as np

from ..clock import utc_iso
from ..errors import InvalidInputError
from ..models import RankedPaper
from .papers import paper_from_row

FEEDBACK_ACTIONS = ("saved", "dismissed")
STATUSES = ("new", "saved", "dismissed")


@dataclass(frozen=True)
class RankingRow:
    """One selected paper of a day, as :meth:`RankingsMixin.save_ranking` stores it."""

    arxiv_id: str
    score: float
    reason: str
    tags: tuple[str, ...] = ()
    collection: str | None = None


@dataclass(frozen=True)
class RankRun:
    id: int
    started_at: str
    finished_at: str | None
    announce_date: date | None
    backend: str
    candidates: int
    ranked: int
    library_size: int
    outcome: str
    message: str


def _ranked_from_row(row) -> RankedPaper:
    return RankedPaper(
        paper=paper_from_row(row), day=date.fromisoformat(row["r_date"]), score=row["score"],
        reason=row["reason"], rank=row["rank"], tags=tuple(json.loads(row["tags"])),
        collection=row["collection"], status=row["f_action"] or "new",
    )


def _rank_run(r) -> RankRun:
    return RankRun(id=r["id"], started_at=r["started_at"], finished_at=r["finished_at"],
                   announce_date=date.fromisoformat(r["announce_date"]) if r["announce_date"] else None,
                   backend=r["backend"], candidates=r["candidates"], ranked=r["ranked"],
                   library_size=r["library_size"], outcome=r["outcome"], message=r["message"])


class RankingsMixin:
    # rankings ----------------------------------------------------------------------------
    def save_ranking(self, day: date, rows: Sequence[RankingRow], *, run_id: int | None = None) -> int:
        """Replace ``day``'s ranking with ``rows`` (best first), atomically; returns how many were stored."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM rankings WHERE announce_date = ?", (day.isoformat(),))
            for rank, row in enumerate(rows, start=1):
                if not 0.0 <= row.score <= 1.0:
                    raise InvalidInputError(f"score of {row.arxiv_id} outside [0, 1]: {row.score}")
                conn.execute(
                    "INSERT INTO rankings (announce_date, arxiv_id, score, rank, reason, tags, collection, run_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (day.isoformat(), row.arxiv_id, float(row.score), rank, row.reason,
                     json.dumps(list(row.tags), ensure_ascii=False), row.collection, run_id),
                )
        return len(rows)

    def clear_ranking(self, day: date) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM rankings WHERE announce_date = ?", (day.isoformat(),))

    def _ranking_filter(self, day: date | None, min_score: float | None, status: str | None) -> tuple[str, list]:
        if status is not None and status not in STATUSES:
            raise InvalidInputError(f"status must be one of {', '.join(STATUSES)} (got {status!r})")
        if day is None:
            day = self.latest_ranking_date()
            if day is None:
                return " WHERE 1 = 0", []
        where, params = " WHERE r.announce_date = ?", [day.isoformat()]
        if min_score is not None:
            where += " AND r.score >= ?"
            params.append(float(min_score))
        if status == "new":
            where += " AND f.action IS NULL"
        elif status is not None:
            where += " AND f.action = ?"
            params.append(status)
        return where, params

    def ranked_papers(self, day: date | None = None, *, min_score: float | None = None, status: str | None = None,
                      limit: int = 100, offset: int = 0) -> list[RankedPaper]:
        """The ranking of ``day`` (default: the latest ranked day), best first, with feedback status."""
        if limit < 0 or offset < 0:
            raise InvalidInputError("limit and offset must be >= 0")
        where, params = self._ranking_filter(day, min_score, status)
        rows = self.query(
            "SELECT p.*, r.announce_date AS r_date, r.score, r.rank, r.reason, r.tags, r.collection,"
            " f.action AS f_action FROM rankings r JOIN papers p ON p.arxiv_id = r.arxiv_id"
            f" LEFT JOIN feedback f ON f.arxiv_id = r.arxiv_id{where} ORDER BY r.rank LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_ranked_from_row(r) for r in rows]

    def ranked_paper(self, arxiv_id: str) -> RankedPaper | None:
        """The paper's newest ranking (its suggested tags and collection), or None if never ranked."""
        rows = self.query(
            "SELECT p.*, r.announce_date AS r_date, r.score, r.rank, r.reason, r.tags, r.collection,"
            " f.action AS f_action FROM rankings r JOIN papers p ON p.arxiv_id = r.arxiv_id"
            " LEFT JOIN feedback f ON f.arxiv_id = r.arxiv_id WHERE r.arxiv_id = ?"
            " ORDER BY r.announce_date DESC LIMIT 1",
            (arxiv_id,),
        )
        return _ranked_from_row(rows[0]) if rows else None

    def count_ranked(self, day: date | None = None, *, min_score: float | None = None,
                     status: str | None = None) -> int:
        where, params = self._ranking_filter(day, min_score, status)
        return self.query(
            f"SELECT count(*) FROM rankings r LEFT JOIN feedback f ON f.arxiv_id = r.arxiv_id{where}",
            tuple(params))[0][0]

    def latest_ranking_date(self) -> date | None:
        value = self.query("SELECT max(announce_date) FROM rankings")[0][0]
        return date.fromisoformat(value) if value else None

    def latest_ranked_day(self) -> date | None:
        """The newest day the rank stage finished: it has matches, or its rank run kept none (every
        paper below the threshold, or nothing to rank). The popup's "nothing matched" day."""
        value = self.query(
            "SELECT max(d) FROM (SELECT max(announce_date) AS d FROM rankings UNION ALL"
            " SELECT max(announce_date) FROM rank_runs WHERE outcome IN ('ok', 'no_candidates')) AS days")[0][0]
        return date.fromisoformat(value) if value else None

    def rank_run_for(self, day: date) -> RankRun | None:
        """The last finished rank run of ``day`` (``None`` when the day was never ranked by the stage)."""
        rows = self.query("SELECT * FROM rank_runs WHERE announce_date = ? AND outcome IN ('ok', 'no_candidates')"
                          " ORDER BY id DESC LIMIT 1", (day.isoformat(),))
        return _rank_run(rows[0]) if rows else None

    def ranking_dates(self, limit: int = 30) -> list[date]:
        rows = self.query("SELECT DISTINCT announce_date FROM rankings ORDER BY announce_date DESC LIMIT ?", (limit,))
        return [date.fromisoformat(r[0]) for r in rows]

    def shown_before(self, day: date) -> set[str]:
        """Ids already ranked on a day before ``day`` (a paper shown yesterday is not new today)."""
        return {r[0] for r in self.query("SELECT DISTINCT arxiv_id FROM rankings WHERE announce_date < ?",
                                          (day.isoformat(),))}

    # feedback ----------------------------------------------------------------------------
    def set_feedback(self, arxiv_id: str, action: str) -> None:
        if action not in FEEDBACK_ACTIONS:
            raise InvalidInputError(f"feedback action must be 'saved' or 'dismissed' (got {action!r})")
        if self.get_paper(arxiv_id) is None:
            from ..errors import NotFoundError

            raise NotFoundError(f"no stored paper {arxiv_id}", details={"arxiv_id": arxiv_id})
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO feedback (arxiv_id, action, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (arxiv_id) DO UPDATE SET action = excluded.action, updated_at = excluded.updated_at",
                (arxiv_id, action, utc_iso()),
            )

    def clear_feedback(self, arxiv_id: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM feedback WHERE arxiv_id = ?", (arxiv_id,)).rowcount > 0

    def feedback(self) -> dict[str, str]:
        """arxiv_id -> "saved" | "dismissed"."""
        return {r["arxiv_id"]: r["action"] for r in self.query("SELECT arxiv_id, action FROM feedback")}

    def background_papers(self, before: date, *, exclude: Iterable[str] = (), limit: int = 3000):
        """The most recently announced papers before ``before``: what this user's stream looks like."""
        excluded = set(exclude)
        rows = self.query(
            "SELECT p.* FROM papers p WHERE p.announce_date IS NOT NULL AND p.announce_date < ?"
            " ORDER BY p.announce_date DESC, p.arxiv_id DESC LIMIT ?", (before.isoformat(), limit + len(excluded)))
        return [paper_from_row(r) for r in rows if r["arxiv_id"] not in excluded][:limit]

    def keyword_hit_papers(self, on: date, *, keywords: Iterable[str] | None = None):
        """Papers that a keyword watch first found on ``on`` (candidates besides the announcement).

        ``keywords``: only those watches' hits (a lab user's own watches).
        """
        where, params = "", [on.isoformat()]
        if keywords is not None:
            wanted = list(keywords) or [""]
            where = f" AND k.keyword IN ({', '.join('?' * len(wanted))})"
            params += wanted
        rows = self.query("SELECT DISTINCT p.* FROM keyword_hits k JOIN papers p ON p.arxiv_id = k.arxiv_id"
                          f" WHERE k.first_seen_on = ?{where} ORDER BY p.arxiv_id DESC", tuple(params))
        return [paper_from_row(r) for r in rows]

    def announcement_sources(self, day: date) -> set[str]:
        """Where ``day``'s stored announcement came from: {"feed"}, {"sample"}, ..."""
        return {r[0] for r in self.query("SELECT DISTINCT source FROM announcements WHERE announce_date = ?",
                                          (day.isoformat(),))}

    # rank runs ---------------------------------------------------------------------------
    def start_rank_run(self, *, day: date | None, backend: str) -> int:
        with self.transaction() as conn:
            return conn.execute(
                "INSERT INTO rank_runs (started_at, announce_date, backend, outcome) VALUES (?, ?, ?, 'running')"
                " RETURNING id", (utc_iso(), day.isoformat() if day else None, backend)).fetchone()[0]

    def finish_rank_run(self, run_id: int, *, outcome: str, candidates: int = 0, ranked: int = 0,
                        library_size: int = 0, message: str = "", backend: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE rank_runs SET finished_at = ?, outcome = ?, candidates = ?, ranked = ?, library_size = ?,"
                " message = ?, backend = coalesce(?, backend) WHERE id = ?",
                (utc_iso(), outcome, candidates, ranked, library_size, message[:2000], backend, run_id))

    def last_rank_run(self) -> RankRun | None:
        rows = self.query("SELECT * FROM rank_runs ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        return _rank_run(rows[0])

    # embedding cache ---------------------------------------------------------------------
    def get_embeddings(self, hashes: Iterable[str], model: str) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for row in self.query(
                f"SELECT content_hash, dim, vector FROM embeddings WHERE model = ? AND content_hash IN"
                f" ({', '.join('?' * len(chunk))})", (model, *chunk)):
                vector = np.frombuffer(row["vector"], dtype="<f4")
                if vector.shape[0] == row["dim"]:
                    found[row["content_hash"]] = vector
        return found

    def put_embeddings(self, vectors: dict[str, np.ndarray], model: str) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO embeddings (content_hash, model, dim, vector) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (content_hash, model) DO UPDATE SET dim = excluded.dim, vector = excluded.vector",
                [(h, model, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes()) for h, v in vectors.items()])

    def count_embeddings(self, model: str | None = None) -> int:
        if model is None:
            return self.query("SELECT count(*) FROM embeddings")[0][0]
        return self.query("SELECT count(*) FROM embeddings WHERE model = ?", (model,))[0][0]
