"""Papers, the announcements that listed them, and keyword-watch hits."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Iterable

from ..clock import utc_iso
from ..models import AnnouncementEntry, AnnounceType, Paper


@dataclass
class UpsertResult:
    """What storing a batch of entries changed."""

    inserted: int = 0  # papers we had never seen
    updated: int = 0  # stored papers whose version or metadata changed
    unchanged: int = 0


def paper_from_row(row: sqlite3.Row) -> Paper:
    return Paper(
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        abstract=row["abstract"],
        categories=tuple(json.loads(row["categories"])),
        primary_category=row["primary_category"],
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        published=_dt(row["published"]),
        updated=_dt(row["updated"]),
        announce_date=date.fromisoformat(row["announce_date"]) if row["announce_date"] else None,
        announce_type=AnnounceType(row["announce_type"]) if row["announce_type"] else None,
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_METADATA = ("title", "authors", "abstract", "categories", "primary_category", "comment",
             "journal_ref", "doi", "published", "updated")


def _columns(paper: Paper) -> dict:
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": json.dumps(list(paper.authors), ensure_ascii=False),
        "abstract": paper.abstract,
        "categories": json.dumps(list(paper.categories)),
        "primary_category": paper.primary_category,
        "comment": paper.comment,
        "journal_ref": paper.journal_ref,
        "doi": paper.doi,
        "published": _iso(paper.published),
        "updated": _iso(paper.updated),
    }


class PapersMixin:
    def upsert_entries(self, entries: Iterable[AnnouncementEntry], *, announce_date: date | None,
                       source: str) -> UpsertResult:
        """Store papers from an announcement (or a search), all in one transaction.

        A paper is keyed by its versionless id: a newer version updates the stored row
        (never a second row); an older or equal version only fills missing fields. A
        replacement does not make a paper "new": its first announcement date is kept.
        Re-storing the same day changes nothing.
        """
        result = UpsertResult()
        now = utc_iso()
        day = announce_date.isoformat() if announce_date else None
        with self.transaction() as conn:
            for entry in entries:
                paper, kind = entry.paper, entry.announce_type
                row = conn.execute("SELECT * FROM papers WHERE arxiv_id = ?", (paper.arxiv_id,)).fetchone()
                if row is None:
                    cols = _columns(paper)
                    first_day = None if kind.is_update else day
                    cols.update(announce_date=first_day, announce_type=kind.value,
                                first_seen_at=now, last_seen_at=now)
                    conn.execute(
                        f"INSERT INTO papers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        tuple(cols.values()),
                    )
                    result.inserted += 1
                else:
                    if self._merge_paper(conn, row, paper, kind, day, now):
                        result.updated += 1
                    else:
                        result.unchanged += 1
                if day is not None:
                    conn.execute(
                        "INSERT INTO announcements (announce_date, arxiv_id, announce_type, version,"
                        " source) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        (day, paper.arxiv_id, kind.value, paper.version, source),
                    )
        return result

    def _merge_paper(self, conn: sqlite3.Connection, row: sqlite3.Row, paper: Paper,
                     kind: AnnounceType, day: str | None, now: str) -> bool:
        stored = paper_from_row(row)
        if paper.version > stored.version:
            merged = paper.merged_with(stored)  # newer wins, keep what only the old one had
        else:
            merged = stored.merged_with(paper)
        new_cols = _columns(merged)
        changes = {k: v for k, v in new_cols.items() if k != "arxiv_id" and row[k] != v}
        if row["announce_date"] is None and day and not kind.is_update:
            changes["announce_date"] = day
        if paper.version > stored.version or (changes and row["announce_type"] != kind.value
                                             and kind.is_update):
            changes["announce_type"] = kind.value
        if not changes:
            return False
        changes["last_seen_at"] = now
        conn.execute(
            f"UPDATE papers SET {', '.join(f'{k} = ?' for k in changes)} WHERE arxiv_id = ?",
            (*changes.values(), paper.arxiv_id),
        )
        return True

    def record_keyword_hits(self, keyword: str, arxiv_ids: Iterable[str], *, on: date) -> int:
        """Remember which papers a keyword watch found; returns how many are new hits."""
        added = 0
        with self.transaction() as conn:
            for arxiv_id in arxiv_ids:
                cur = conn.execute(
                    "INSERT INTO keyword_hits (keyword, arxiv_id, first_seen_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (keyword, arxiv_id, on.isoformat()),
                )
                added += cur.rowcount
        return added

    def get_paper(self, arxiv_id: str) -> Paper | None:
        rows = self.query("SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,))
        return paper_from_row(rows[0]) if rows else None

    def get_papers(self, arxiv_ids: Iterable[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(arxiv_ids))
        found: dict[str, Paper] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for row in self.query(
                f"SELECT * FROM papers WHERE arxiv_id IN ({', '.join('?' * len(chunk))})", tuple(chunk)
            ):
                found[row["arxiv_id"]] = paper_from_row(row)
        return found

    def count_papers(self) -> int:
        return self.query("SELECT count(*) FROM papers")[0][0]

    def announced_papers(self, announce_date: date, *, types: Iterable[str] | None = None) -> list[Paper]:
        """Papers listed in ``announce_date``'s announcement (any source), newest id first.

        The returned ``announce_type`` is how that day listed the paper.
        """
        params: list = [announce_date.isoformat()]
        type_filter = ""
        if types is not None:
            wanted = list(types)
            type_filter = f" AND a.announce_type IN ({', '.join('?' * len(wanted))})"
            params += wanted
        rows = self.query(
            "SELECT p.*, min(a.announce_type) AS day_type FROM announcements a"
            " JOIN papers p ON p.arxiv_id = a.arxiv_id"
            f" WHERE a.announce_date = ?{type_filter} GROUP BY p.arxiv_id ORDER BY p.arxiv_id DESC",
            tuple(params),
        )
        papers = []
        for row in rows:
            paper = paper_from_row(row)
            papers.append(_with_type(paper, row["day_type"]))
        return papers

    def announcement_dates(self, limit: int = 30) -> list[date]:
        rows = self.query(
            "SELECT DISTINCT announce_date FROM announcements ORDER BY announce_date DESC LIMIT ?", (limit,)
        )
        return [date.fromisoformat(r[0]) for r in rows]

    def keyword_papers(self, keyword: str, *, limit: int = 100) -> list[Paper]:
        rows = self.query(
            "SELECT p.* FROM keyword_hits k JOIN papers p ON p.arxiv_id = k.arxiv_id WHERE k.keyword = ?"
            " ORDER BY coalesce(p.published, '') DESC, p.arxiv_id DESC LIMIT ?",
            (keyword, limit),
        )
        return [paper_from_row(r) for r in rows]


def _with_type(paper: Paper, day_type: str | None) -> Paper:
    return replace(paper, announce_type=AnnounceType(day_type)) if day_type else paper
