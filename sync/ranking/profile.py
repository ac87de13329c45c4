"""The user's interest profile: what they read, said they want, saved and dismissed.

A profile is only data. :func:`profile_documents` turns it into the weighted
documents the similarity is computed against: library items (newer additions
weigh more, duplicates merged), papers saved from the popup (strong positives),
and dismissed papers (negatives).
"""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..models import LibraryItem, Paper
from .text import content_hash, document_text

# A library item added today weighs 1.0, one added HALF_LIFE days ago 0.75, a very old one 0.5:
# old reading still counts, recent reading counts more.
DEFAULT_HALF_LIFE_DAYS = 365.0
UNDATED_WEIGHT = 0.7
SAVED_WEIGHT = 2.0  # a paper saved from the popup is a deliberate "more like this"


@dataclass(frozen=True)
class Profile:
    library: tuple[LibraryItem, ...] = ()
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    favourite_authors: tuple[str, ...] = ()
    saved: tuple[Paper, ...] = ()  # feedback "saved"
    dismissed: tuple[Paper, ...] = ()  # feedback "dismissed"
    # recently announced papers the user did not keep: what "not my interest" looks like
    background: tuple[Paper, ...] = ()


@dataclass(frozen=True)
class ProfileDoc:
    """One positive or negative document of the profile."""

    text: str
    weight: float
    title: str
    source: str  # "library" | "saved" | "dismissed"
    tags: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    arxiv_id: str | None = None
    authors: tuple[str, ...] = field(default=(), compare=False)


def recency_weight(added: datetime | None, now: datetime, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> float:
    if added is None:
        return UNDATED_WEIGHT
    if added.tzinfo is None:
        added = added.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    age_days = max(0.0, (now - added).total_seconds() / 86400.0)
    return 0.5 + 0.5 * math.pow(0.5, age_days / half_life_days)


def positive_documents(profile: Profile, now: datetime,
                       half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> list[ProfileDoc]:
    """Library items and saved papers, one document per distinct text.

    Duplicate library items (same paper imported twice) become one document with
    the newest date, the union of tags and collections: a paper read twice is
    not two votes. Items with neither title nor abstract carry no evidence.
    """
    by_hash: dict[str, ProfileDoc] = {}
    order: list[str] = []
    for item in sorted(profile.library, key=lambda i: (i.key, i.title)):
        text = document_text(item.title, item.abstract)
        if not text:
            continue
        weight = recency_weight(item.date_added, now, half_life_days)
        if not item.abstract.strip():
            weight *= 0.8  # a bare title says less about the paper
        doc = ProfileDoc(text=text, weight=weight, title=item.title, source="library", tags=tuple(item.tags),
                         collections=tuple(item.collections), arxiv_id=item.arxiv_id, authors=tuple(item.creators))
        _merge_into(by_hash, order, doc)
    for paper in profile.saved:
        text = document_text(paper.title, paper.abstract)
        if text:
            _merge_into(by_hash, order, ProfileDoc(text=text, weight=SAVED_WEIGHT, title=paper.title, source="saved",
                                                   arxiv_id=paper.arxiv_id, authors=tuple(paper.authors)))
    return [by_hash[h] for h in order]


def negative_documents(profile: Profile) -> list[ProfileDoc]:
    docs = []
    for paper in profile.dismissed:
        text = document_text(paper.title, paper.abstract)
        if text:
            docs.append(ProfileDoc(text=text, weight=1.0, title=paper.title, source="dismissed",
                                   arxiv_id=paper.arxiv_id))
    return docs


def _merge_into(by_hash: dict[str, ProfileDoc], order: list[str], doc: ProfileDoc) -> None:
    key = content_hash(doc.text)
    old = by_hash.get(key)
    if old is None:
        by_hash[key] = doc
        order.append(key)
        return
    by_hash[key] = ProfileDoc(
        text=doc.text, weight=max(old.weight, doc.weight), title=old.title,
        source="saved" if "saved" in (old.source, doc.source) else old.source,
        tags=tuple(dict.fromkeys(old.tags + doc.tags)),
        collections=tuple(dict.fromkeys(old.collections + doc.collections)),
        arxiv_id=old.arxiv_id or doc.arxiv_id, authors=old.authors or doc.authors,
    )


@functools.lru_cache(maxsize=65_536)  # a 5,000-item library has ~40,000 author names, the same every run
def author_key(name: str) -> str:
    """"Doe, Jane" and "Jane Doe" and "Jane  DOE" compare equal; accents ignored."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).lower()
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    return " ".join(part.strip(".") for part in name.split() if part.strip("."))
