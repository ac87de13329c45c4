"""Pure parser of arXiv's announcement feeds (rss.arxiv.org, RSS 2.0 and Atom).

Parsed by element name and namespace, never by position. An item's summary reads
``arXiv:2411.17700v1 Announce Type: new \\nAbstract: ...``; the announce type also has its
own ``arxiv:announce_type`` element, which wins. A feed with no items is a valid, empty
announcement (weekend, holiday); a channel titled "Feed error for query" is an error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from ..errors import ArxivError, ArxivQueryError, InvalidArxivIdError
from ..ids import parse_arxiv_id
from ..models import Announcement, AnnouncementEntry, AnnounceType, Paper

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_SUMMARY = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$", re.S
)
_CATEGORY = re.compile(r"^[a-z-]+(?:\.[A-Za-z-]+)?$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    announcement: Announcement


def clean_text(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def split_authors(creator: str | None) -> tuple[str, ...]:
    """``"A. One, B. Two and C. Three"`` -> names; the feed joins authors with commas."""
    text = clean_text(creator)
    if not text:
        return ()
    parts = re.split(r",\s*|\s+and\s+", text)
    return tuple(p.strip() for p in parts if p.strip())


def arxiv_categories(terms: list[str]) -> tuple[str, ...]:
    """Keep arXiv categories, dropping MSC/ACM codes some sources mix in; order kept, no duplicates."""
    return tuple(dict.fromkeys(t.strip() for t in terms if _CATEGORY.match(t.strip())))


def parse_feed(xml: bytes | str, categories: tuple[str, ...] = ()) -> ParsedFeed:
    """Parse one announcement feed; raise :class:`ArxivQueryError` for arXiv's error feed."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ArxivError(f"arXiv feed is not valid XML: {exc}") from exc
    if root.tag == "rss":
        return _parse_rss(root, categories)
    if root.tag == f"{{{NS['atom']}}}feed":
        return _parse_atom(root, categories)
    raise ArxivError(f"unexpected arXiv feed root element <{root.tag}>")


def _parse_rss(root: ET.Element, categories: tuple[str, ...]) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None:
        raise ArxivError("arXiv RSS feed has no <channel>")
    title = clean_text(channel.findtext("title"))
    if title.lower().startswith("feed error"):
        raise ArxivQueryError(f"arXiv rejected the feed request: {clean_text(channel.findtext('description'))}",
                              details={"feed_title": title})
    day = _rss_date(channel.findtext("pubDate"))
    entries = []
    for item in channel.findall("item"):
        entries.append(_entry(
            guid=item.findtext("guid") or item.findtext("link") or "",
            title=item.findtext("title"),
            summary=item.findtext("description"),
            categories=[c.text or "" for c in item.findall("category")],
            announce_type=item.findtext("arxiv:announce_type", namespaces=NS),
            creator=item.findtext("dc:creator", namespaces=NS),
            doi=item.findtext("arxiv:DOI", namespaces=NS),
            journal_ref=item.findtext("arxiv:journal_reference", namespaces=NS),
            day=_rss_date(item.findtext("pubDate")) or day,
        ))
    return ParsedFeed(title, Announcement(categories, day, tuple(entries)))


def _parse_atom(root: ET.Element, categories: tuple[str, ...]) -> ParsedFeed:
    title = clean_text(root.findtext("atom:title", namespaces=NS))
    if title.lower().startswith("feed error"):
        raise ArxivQueryError(f"arXiv rejected the feed request: {clean_text(root.findtext('atom:subtitle', namespaces=NS))}",
                              details={"feed_title": title})
    entries = []
    for node in root.findall("atom:entry", NS):
        entries.append(_entry(
            guid=node.findtext("atom:id", namespaces=NS) or "",
            title=node.findtext("atom:title", namespaces=NS),
            summary=node.findtext("atom:summary", namespaces=NS),
            categories=[c.get("term", "") for c in node.findall("atom:category", NS)],
            announce_type=node.findtext("arxiv:announce_type", namespaces=NS),
            creator=node.findtext("dc:creator", namespaces=NS),
            doi=node.findtext("arxiv:DOI", namespaces=NS),
            journal_ref=node.findtext("arxiv:journal_reference", namespaces=NS),
            day=_iso_date(node.findtext("atom:published", namespaces=NS)),
        ))
    days = {e.paper.announce_date for e in entries if e.paper.announce_date}
    day = max(days) if days else _iso_date(root.findtext("atom:updated", namespaces=NS))
    return ParsedFeed(title, Announcement(categories, day, tuple(entries)))


def _entry(*, guid: str, title: str | None, summary: str | None, categories: list[str],
           announce_type: str | None, creator: str | None, doi: str | None, journal_ref: str | None,
           day: date | None) -> AnnouncementEntry:
    match = _SUMMARY.match(summary or "")
    raw_id = match.group("id") if match else guid.replace("oai:arXiv.org:", "")
    try:
        parsed = parse_arxiv_id(raw_id)
    except InvalidArxivIdError as exc:
        raise ArxivError(f"arXiv feed item with an unreadable id {raw_id!r}") from exc
    kind_text = clean_text(announce_type) or (match.group("type") if match else "new")
    try:
        kind = AnnounceType(kind_text)
    except ValueError as exc:
        raise ArxivError(f"arXiv feed item {parsed.id} has unknown announce type {kind_text!r}") from exc
    abstract = match.group("abstract") if match else (summary or "")
    paper = Paper(
        arxiv_id=parsed.id,
        version=parsed.version or 1,
        title=clean_text(title),
        authors=split_authors(creator),
        abstract=clean_text(abstract),
        categories=arxiv_categories(categories),
        doi=clean_text(doi) or None,
        journal_ref=clean_text(journal_ref) or None,
        announce_date=day,
        announce_type=kind,
    )
    return AnnouncementEntry(paper, kind)


def _rss_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError):
        return None


def _iso_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return None
