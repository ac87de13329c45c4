"""Bundled real sample data, so a new user sees paperfeed work offline at once.

See ``sync/sample_data/README.md`` for what the files hold and where they come from.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from typing import TYPE_CHECKING, Iterator

from .models import AnnouncementEntry, Announcement, AnnounceType, LibraryCollection, LibraryItem, Paper

if TYPE_CHECKING:
    import numpy as np

SAMPLE_DATE = date(2025, 9, 24)
SAMPLE_CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
_ANNOUNCEMENT_FILE = "announcement-2025-09-24.jsonl.gz"
_LIBRARY_FILE = "library.jsonl.gz"
_BACKGROUND_FILE = "background.jsonl.gz"
_BACKGROUND_VECTORS_FILE = "background-vectors.npy"  # all-MiniLM-L6-v2, float16, in the file's order


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


@functools.lru_cache(maxsize=1)
def starter_background() -> tuple[Paper, ...]:
    """882 real arXiv papers of four announcement days (2025-04-01 .. 04-16; mostly cs.AI, CL, CV, LG):
    what "arXiv in general" looks like to a ranker whose own background is still short
    (:func:`sync.rank_stage.with_starter_background`)."""
    return tuple(paper_from_record(r) for r in _records(_BACKGROUND_FILE))


@functools.lru_cache(maxsize=1)
def starter_background_vectors() -> dict[str, np.ndarray]:
    """Content hash of each starter paper's text -> its all-MiniLM-L6-v2 embedding (float32, unit length),
    computed when the file was built (``bench/build_starter_background.py``), so they are never embedded
    again."""
    import numpy as np

    from .ranking.text import content_hash, document_text

    with resources.files("sync").joinpath("sample_data", _BACKGROUND_VECTORS_FILE).open("rb") as raw:
        vectors = np.load(raw).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)  # undo float16 rounding
    # strict: a vector file out of step with the papers is a packaging bug, never silently misaligned
    return {content_hash(document_text(p.title, p.abstract)): v
            for p, v in zip(starter_background(), vectors, strict=True)}


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
