"""Bundled real sample data, so a new user sees paperfeed work offline at once.

See ``sync/sample_data/README.md`` for what the files hold and where they come from.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import Iterator

from .models import AnnouncementEntry, Announcement, AnnounceType, LibraryCollection, LibraryItem, Paper

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


# The sample library looks like a researcher's Zotero: each item carries up to three topic tags
# and sits in one collection, both derived by the fixed rules below from the paper's own title,
# abstract and arXiv categories (documented in sample_data/README.md), so every run agrees.
SAMPLE_TAG_RULES: tuple[tuple[str, str], ...] = (
    ("reinforcement learning", r"reinforcement learning|\brl(hf|vr)?\b|\bgrpo\b|policy gradient|\breward"),
    ("LLM", r"large language model|\bllms?\b|language models?\b"),
    ("reasoning", r"reasoning|chain[- ]of[- ]thought|\bcot\b"),
    ("agents", r"\bagents?\b|agentic"),
    ("vision-language", r"vision[- ]language|\bvlms?\b|multimodal|multi-modal"),
    ("autonomous driving", r"autonomous driving|\bdriving\b|trajectory"),
    ("3D", r"\b3d\b|gaussian splatting|point cloud|\bdepth\b"),
    ("safety", r"\bsafety\b|\bsafe\b|alignment"),
)
SAMPLE_COLLECTIONS: tuple[LibraryCollection, ...] = (
    LibraryCollection(key="RLGENRAL", name="Reinforcement learning"),
    LibraryCollection(key="RLLLMS22", name="RL for LLMs", parent_key="RLGENRAL"),
    LibraryCollection(key="RLRBTCS2", name="RL for robotics", parent_key="RLGENRAL"),
    LibraryCollection(key="VISNCV22", name="Computer vision"),
)


def sample_tags(record: dict) -> tuple[str, ...]:
    """Up to three topic tags, in rule order, whose pattern occurs in the title or abstract."""
    text = f"{record.get('title', '')} {record.get('abstract') or ''}".lower()
    tags = [tag for tag, pattern in SAMPLE_TAG_RULES if re.search(pattern, text)]
    if "cs.RO" in (record.get("categories") or ()):
        tags.insert(0, "robotics")
    return tuple(tags[:3])


def sample_collection(record: dict) -> str:
    """The one collection of an item: robotics first, then vision, then LLM papers, else the parent."""
    categories = tuple(record.get("categories") or ())
    text = f"{record.get('title', '')} {record.get('abstract') or ''}".lower()
    if "cs.RO" in categories:
        return "RLRBTCS2"
    if categories[:1] in (("cs.CV",), ("cs.GR",)):
        return "VISNCV22"
    if re.search(SAMPLE_TAG_RULES[1][1], text):
        return "RLLLMS22"
    return "RLGENRAL"


def sample_collections() -> list[LibraryCollection]:
    """The sample library's collections (one nested level), parents first."""
    return list(SAMPLE_COLLECTIONS)


def sample_library() -> list[LibraryItem]:
    """A stand-in Zotero library (earlier real papers); ``date_added`` is the announce date."""
    items = []
    for index, record in enumerate(_records(_LIBRARY_FILE)):
        added = datetime.fromisoformat(record["announced"]).replace(tzinfo=timezone.utc) + timedelta(hours=index % 24)
        items.append(LibraryItem(
            key=f"SAMPLE{index:02d}"[:8], title=record["title"], abstract=record.get("abstract") or "",
            date_added=added, creators=tuple(record.get("authors") or ()), arxiv_id=record["id"],
            url=f"https://arxiv.org/abs/{record['id']}", tags=sample_tags(record),
            collections=(sample_collection(record),),
        ))
    return items
