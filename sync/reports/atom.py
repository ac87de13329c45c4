"""An Atom feed (RFC 4287) of the user's matches, so any feed reader can follow them.

Built with ElementTree, which escapes every text node; the entry content is
HTML produced by the same autoescaping renderer as the reports.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from xml.etree import ElementTree as ET

from markupsafe import escape

from .. import __version__
from ..arxiv.calendar import ANNOUNCE_TIME, EASTERN
from ..clock import utc_iso
from ..models import RankedPaper
from ..safe_text import xml_safe
from ..settings import Config
from .gather import relevance_threshold
from .render import abs_url, authors_line, categories_line, pdf_url

ATOM_NS = "http://www.w3.org/2005/Atom"
_FEED_DAYS = 14
_FEED_MAX_ENTRIES = 200


def announced_at(day: date) -> datetime:
    """When the announcement labelled ``day`` went out: 20:00 US Eastern the evening before."""
    evening = datetime.combine(day - timedelta(days=1), ANNOUNCE_TIME, tzinfo=EASTERN)
    return evening.astimezone(timezone.utc)


def _entry_html(ranked: RankedPaper) -> str:
    paper = ranked.paper
    parts = [f"<p><strong>Score {ranked.score:.2f}</strong>"
             + (f": {escape(ranked.reason)}" if ranked.reason else "") + "</p>",
             f"<p>{escape(authors_line(paper.authors))}</p>",
             f"<p>{escape(categories_line(paper))}</p>"]
    if ranked.tags:
        parts.append(f"<p>Tags: {escape(', '.join(ranked.tags))}</p>")
    if paper.comment:
        parts.append(f"<p>Comment: {escape(paper.comment)}</p>")
    parts.append(f"<p>{escape(paper.abstract)}</p>")
    parts.append(f'<p><a href="{escape(pdf_url(paper))}">PDF</a></p>')
    return "".join(parts)


def _days(store) -> list[date]:
    days = set(store.announcement_dates(limit=_FEED_DAYS))
    latest = store.latest_ranking_date()
    if latest:
        days.add(latest)
    return sorted(days, reverse=True)[:_FEED_DAYS]


def render_atom(store, config: Config, *, feed_url: str) -> str:
    """The matches of the last two weeks of announcements, newest first.

    ``feed_url`` is the feed's own address as the reader should see it; pass it
    without the server token (the token would otherwise be written into the feed).
    Entry ids are the arXiv abstract URLs, so a paper listed again is not a new entry.
    """
    threshold = relevance_threshold(config)
    limit = max(1, int(config["reports.max_papers"]))
    entries: list[RankedPaper] = []
    seen: set[str] = set()
    for day in _days(store):
        for ranked in store.ranked_papers(day, min_score=threshold, limit=limit):
            if ranked.paper.arxiv_id not in seen:
                seen.add(ranked.paper.arxiv_id)
                entries.append(ranked)
        if len(entries) >= _FEED_MAX_ENTRIES:
            break
    entries = entries[:_FEED_MAX_ENTRIES]

    ET.register_namespace("", ATOM_NS)
    q = lambda tag: f"{{{ATOM_NS}}}{tag}"  # noqa: E731
    feed = ET.Element(q("feed"))
    categories = ", ".join(config["arxiv.categories"]) or "arXiv"
    ET.SubElement(feed, q("title")).text = f"paperfeed: arXiv {categories} matches"
    ET.SubElement(feed, q("subtitle")).text = "New arXiv papers that match your Zotero library and keywords."
    ET.SubElement(feed, q("id")).text = feed_url
    ET.SubElement(feed, q("link"), rel="self", type="application/atom+xml", href=feed_url)
    ET.SubElement(feed, q("link"), rel="alternate", type="text/html", href="https://arxiv.org/")
    generator = ET.SubElement(feed, q("generator"), version=__version__)
    generator.text = "paperfeed"
    newest = max((announced_at(r.day) for r in entries), default=datetime(1970, 1, 1, tzinfo=timezone.utc))
    ET.SubElement(feed, q("updated")).text = utc_iso(newest)
    ET.SubElement(ET.SubElement(feed, q("author")), q("name")).text = "paperfeed"

    for ranked in entries:
        paper = ranked.paper
        entry = ET.SubElement(feed, q("entry"))
        ET.SubElement(entry, q("title")).text = " ".join(paper.title.split())
        ET.SubElement(entry, q("id")).text = abs_url(paper)
        ET.SubElement(entry, q("link"), rel="alternate", type="text/html", href=abs_url(paper))
        ET.SubElement(entry, q("link"), rel="related", type="application/pdf", href=pdf_url(paper))
        when = announced_at(ranked.day)
        ET.SubElement(entry, q("updated")).text = utc_iso(when)
        ET.SubElement(entry, q("published")).text = utc_iso(paper.published or when)
        for name in paper.authors or ("unknown",):
            ET.SubElement(ET.SubElement(entry, q("author")), q("name")).text = name
        for term in paper.categories:
            ET.SubElement(entry, q("category"), term=term, scheme="http://arxiv.org/schemas/atom")
        for tag in ranked.tags:
            ET.SubElement(entry, q("category"), term=tag, scheme="paperfeed:tag")
        ET.SubElement(entry, q("summary")).text = " ".join((ranked.reason or paper.abstract).split())
        ET.SubElement(entry, q("content"), type="html").text = _entry_html(ranked)
    # ElementTree escapes markup but passes control characters through: drop what XML forbids.
    return '<?xml version="1.0" encoding="utf-8"?>\n' + xml_safe(ET.tostring(feed, encoding="unicode")) + "\n"


__all__ = ["render_atom", "announced_at"]
