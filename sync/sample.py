"""Bundled real sample data, so a new user sees paperfeed work offline at once.

See ``sync/sample_data/README.md`` for what the files hold and where they come from.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Iterator

from .models import AnnouncementEntry, Announcement, AnnounceType, LibraryItem, Paper

SAMPLE_DATE = date(2025, 9, 24)
SAMPLE_CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
_ANNOUNCEMENT_FILE = "announcement-2025-09-24.jsonl.gz"
_LIBRARY_FILE = "library.jsonl.gz"


def _records(name: str) -> Iterator[dict]:
    with resources.files("sync").joinpath("sample_data", name).open("rb") as raw:
        with gzip.open(raw, "rt", encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def paper_from_record(record: dict) -> Paper:
    """A :class:`Paper` from a JSON-lines record with the fields of the dev data set."""
    announced = date.fromisoformat(record["announced"]) if record.get("announced") else None
    return Paper(
        arxiv_id=record["id"],
        title=record.get("title", ""),
        authors=tuple(record.get("authors") or ()),
        abstract=record.get("abstract") or "",
        categories=tuple(record.get("categories") or ()),
        comment=record.get("comment") or None,
        announce_date=announced,
    )


def sample_announcement() -> Announcement:
    """The bundled day: new in the sample categories when the primary category is one of them."""
    entries = []
    for record in _records(_ANNOUNCEMENT_FILE):
        paper = paper_from_record(record)
        kind = AnnounceType.NEW if paper.primary_category in SAMPLE_CATEGORIES else AnnounceType.CROSS
        entries.append(AnnouncementEntry(paper, kind))
    return Announcement(categories=SAMPLE_CATEGORIES, announce_date=SAMPLE_DATE, entries=tuple(entries))


def sample_library() -> list[LibraryItem]:
    """A stand-in Zotero library (earlier real papers); ``date_added`` is the announce date."""
    items = []
    for index, record in enumerate(_records(_LIBRARY_FILE)):
        added = datetime.fromisoformat(record["announced"]).replace(tzinfo=timezone.utc) + timedelta(hours=index % 24)
        items.append(LibraryItem(
            key=f"SAMPLE{index:02d}"[:8], title=record["title"], abstract=record.get("abstract") or "",
            date_added=added, creators=tuple(record.get("authors") or ()), arxiv_id=record["id"],
            url=f"https://arxiv.org/abs/{record['id']}",
        ))
    return items
