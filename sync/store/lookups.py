"""Papers looked up by id (e.g. from an arXiv page in the browser), not from an announcement."""

from __future__ import annotations

from typing import Iterable

from ..models import Paper
from ..clock import utc_iso
from .papers import _columns


class LookupsMixin:
    def remember_papers(self, papers: Iterable[Paper]) -> int:
        """Store papers we only looked up; returns how many were new.

        They get no announce date or type (no announcement listed them), so they never
        appear in a day's list; a paper already stored is left as it is, since the
        announcement copy knows more (its date and how it was listed).
        """
        now = utc_iso()
        added = 0
        with self.transaction() as conn:
            for paper in papers:
                cols = _columns(paper)
                cols.update(first_seen_at=now, last_seen_at=now)
                cur = conn.execute(
                    f"INSERT INTO papers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) ON CONFLICT DO NOTHING",
                    tuple(cols.values()),
                )
                added += cur.rowcount
        return added
