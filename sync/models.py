"""Our own dataclasses. Modules that talk to arXiv or Zotero return these, never library objects."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from typing import Callable

# How long work reports progress: progress(label, done, total); total <= 0 announces a step.
Progress = Callable[[str, int, int], None]


class AnnounceType(str, Enum):
    """How a paper appears in a day's announcement, relative to the requested categories."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"

    @property
    def is_update(self) -> bool:
        return self in (AnnounceType.REPLACE, AnnounceType.REPLACE_CROSS)


class FetchOutcome(str, Enum):
    """What a fetch run found. "No announcement" is not an error and not "nothing matched"."""

    OK = "ok"
    NO_ANNOUNCEMENT = "no_announcement"
    UNREACHABLE = "unreachable"
    ERROR = "error"
    RUNNING = "running"


@dataclass(frozen=True)
class Paper:
    """One arXiv paper, keyed by its versionless id; ``version`` is the latest we know."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    categories: tuple[str, ...] = ()
    version: int = 1
    primary_category: str = ""
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    announce_date: date | None = None
    announce_type: AnnounceType | None = None

    def __post_init__(self) -> None:
        if not self.primary_category and self.categories:
            object.__setattr__(self, "primary_category", self.categories[0])

    def merged_with(self, other: "Paper") -> "Paper":
        """Fill fields missing here from ``other`` (same paper from another source)."""
        changes = {
            name: getattr(other, name)
            for name in ("abstract", "comment", "journal_ref", "doi", "published", "updated")
            if not getattr(self, name) and getattr(other, name)
        }
        if not self.authors and other.authors:
            changes["authors"] = other.authors
        if not self.categories and other.categories:
            changes["categories"] = other.categories
            changes["primary_category"] = other.primary_category
        if other.version > self.version:
            changes["version"] = other.version
        return replace(self, **changes) if changes else self


@dataclass(frozen=True)
class AnnouncementEntry:
    """A paper as listed in one day's announcement feed."""

    paper: Paper
    announce_type: AnnounceType


@dataclass(frozen=True)
class Announcement:
    """One day's announcement for a set of categories; ``entries`` is empty on weekends/holidays."""

    categories: tuple[str, ...]
    announce_date: date | None
    entries: tuple[AnnouncementEntry, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.entries


@dataclass
class FetchSummary:
    """Counts of one fetch, and the one-line summary the CLI prints."""

    categories: tuple[str, ...] = ()
    announce_date: date | None = None
    outcome: FetchOutcome = FetchOutcome.OK
    new: int = 0
    cross: int = 0
    updated: int = 0
    keywords: tuple[str, ...] = ()
    keyword_new: int = 0
    message: str = ""
    days: list["FetchSummary"] = field(default_factory=list)

    def line(self) -> str:
        cats = "+".join(self.categories) or "arXiv"
        if self.outcome is FetchOutcome.NO_ANNOUNCEMENT:
            head = f"{cats}: no announcement today" + (f" ({self.announce_date})" if self.announce_date else "")
        elif self.outcome is FetchOutcome.UNREACHABLE:
            head = f"{cats}: arXiv unreachable ({self.message})"
        elif self.outcome is FetchOutcome.ERROR:
            head = f"{cats}: error ({self.message})"
        else:
            head = f"{cats}: {self.new} new, {self.cross} cross-lists, {self.updated} updated"
        if self.keywords:
            n = len(self.keywords)
            head += f"; {n} keyword watch{'es' if n != 1 else ''}: {self.keyword_new} new"
        return head


@dataclass(frozen=True)
class LibraryItem:
    """One item of the user's Zotero library, as the local index keeps it (ranking reads these)."""

    key: str
    title: str
    abstract: str = ""
    item_type: str = "preprint"
    date_added: datetime | None = None
    creators: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()  # collection keys
    arxiv_id: str | None = None
    doi: str | None = None
    url: str | None = None
    version: int = 0


@dataclass(frozen=True)
class LibraryCollection:
    """One collection of the user's Zotero library (``parent_key`` None at top level)."""

    key: str
    name: str
    parent_key: str | None = None
    version: int = 0


@dataclass(frozen=True)
class RankedPaper:
    """A paper as ranked for one day: what the popup, reports and API show.

    ``status`` is the user's decision from feedback: "new", "saved" or "dismissed"
    ("in_library" is added by callers that consult the Zotero index).
    """

    paper: Paper
    day: date
    score: float
    reason: str
    rank: int
    tags: tuple[str, ...] = ()
    collection: str | None = None  # suggested Zotero collection key
    status: str = "new"
