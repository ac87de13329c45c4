"""What a report says, independent of its format (Markdown, HTML, email, Atom).

Gathering (``gather.py``) fills these from the store; the renderers only format
them, so the Markdown and HTML reports always carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from ..models import Paper, RankedPaper


class EmptyReason(str, Enum):
    """Why a day's report lists no papers: users want the reason stated, never silence."""

    NO_ANNOUNCEMENT = "no_announcement"
    UNREACHABLE = "unreachable"
    NOTHING_ABOVE_THRESHOLD = "nothing_above_threshold"
    NOT_FETCHED = "not_fetched"


@dataclass(frozen=True)
class KeywordTable:
    keyword: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class DailyReport:
    day: date
    generated_at: datetime  # UTC
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    papers: tuple[RankedPaper, ...]
    total_relevant: int  # may exceed len(papers) when capped by reports.max_papers
    announced: int  # papers in the day's announcement
    empty_reason: EmptyReason | None = None
    empty_message: str = ""
    keyword_tables: tuple[KeywordTable, ...] = ()
    sample: bool = False

    @property
    def title(self) -> str:
        return f"arXiv {', '.join(self.categories) or 'all categories'} daily report"

    @property
    def found_line(self) -> str:
        n = self.total_relevant
        line = f"Found {n} relevant paper{'s' if n != 1 else ''}"
        if self.announced:
            line += f" among {self.announced} announced"
        if n > len(self.papers):
            line += f" (showing the top {len(self.papers)})"
        return line + "."

    def fingerprint(self) -> str:
        """What was reported, not when: two runs of the same day with the same result match."""
        ids = ",".join(p.paper.arxiv_id for p in self.papers)
        return f"{self.day}|{self.empty_reason.value if self.empty_reason else 'ok'}|{ids}"


@dataclass(frozen=True)
class DigestEntry:
    ranked: RankedPaper
    summary: str
    labels: tuple[str, ...]  # [area], [subarea], [tags/keywords...]


@dataclass(frozen=True)
class DigestDay:
    day: date
    entries: tuple[DigestEntry, ...]
    empty_message: str = ""


@dataclass(frozen=True)
class WeeklyReport:
    start: date
    end: date
    generated_at: datetime
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    days: tuple[DigestDay, ...] = field(default_factory=tuple)
    summaries_by: str = "extractive"

    @property
    def title(self) -> str:
        return f"arXiv {', '.join(self.categories) or 'all categories'} weekly digest"

    @property
    def total(self) -> int:
        return sum(len(d.entries) for d in self.days)
