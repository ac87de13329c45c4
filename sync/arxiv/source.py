"""arXiv, the remote system: today's announcement, metadata by id, keyword watches, backfill.

- "New today" comes from the announcement feed (rss.arxiv.org), never from an API date
  window (the API's submittedDate index lags the announcement).
- Full metadata (comment, dates, journal ref) comes from the API through the ``arxiv``
  package, by ``id_list`` in batches of 100.
- Every request goes through one :class:`~sync.arxiv.polite_http.PoliteSession`: one at a time,
  >= ``arxiv.delay_seconds`` apart, timeouts, Retry-After, bounded jittered retries. The
  ``arxiv`` client is pointed at it (its own retry and delay are switched off) and at
  ``arxiv.api_url`` through ``Client.query_url_format``.
Returns our dataclasses, never ``arxiv.Result``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable, Iterator

import arxiv
import requests

from .calendar import EASTERN, has_announcement
from ..errors import ArxivError, ArxivQueryError, ArxivUnavailableError, InvalidArxivIdError
from .feed_parser import NS, arxiv_categories, clean_text, parse_feed
from ..ids import parse_arxiv_id
from ..models import Announcement, AnnouncementEntry, AnnounceType, Paper
from .polite_http import PoliteSession
from ..settings import Config

ID_BATCH = 100
Progress = Callable[[int], None]


def make_session(config: Config) -> PoliteSession:
    return PoliteSession(
        min_interval=config["arxiv.delay_seconds"],
        timeout=config["arxiv.timeout_seconds"],
        max_retries=config["arxiv.max_retries"],
        error_cls=ArxivUnavailableError,
        service="arXiv",
    )


def _raise_for_rejection(response: requests.Response, *args, **kwargs) -> None:
    """Response hook: arXiv's HTTP 400 error feed (and other 4xx) become a clear error."""
    if 400 <= response.status_code < 500 and response.status_code != 429:
        raise ArxivQueryError(
            f"arXiv rejected the request (HTTP {response.status_code}): {_error_feed_message(response.content)}",
            details={"status": response.status_code},
        )


def _error_feed_message(body: bytes) -> str:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return clean_text(body[:200].decode("utf-8", "replace")) or "no details"
    for entry in root.findall("atom:entry", NS):
        summary = clean_text(entry.findtext("atom:summary", namespaces=NS))
        if summary:
            return summary
    return clean_text(root.findtext("atom:title", namespaces=NS)) or "no details"


class ArxivSource:
    def __init__(self, config: Config, *, session: PoliteSession | None = None):
        self.config = config
        self.session = session or make_session(config)
        self.session.hooks["response"].append(_raise_for_rejection)
        self._client = arxiv.Client(page_size=ID_BATCH, delay_seconds=0, num_retries=0)
        self._client.query_url_format = config["arxiv.api_url"].rstrip("?") + "?{}"
        self._client._session = self.session  # the package has no public way to inject a session

    # today's announcement ----------------------------------------------------------
    def feed_url(self, categories: Iterable[str]) -> str:
        return f"{self.config['arxiv.feed_url'].rstrip('/')}/{'+'.join(categories)}"

    def announcement(self, categories: tuple[str, ...], *, include_cross_lists: bool = True) -> Announcement:
        """Today's announcement for ``categories``; empty (not an error) on weekends and holidays."""
        if not categories:
            raise ArxivQueryError("no arXiv categories configured (setting arxiv.categories)")
        response = self.session.get(self.feed_url(categories))
        announcement = parse_feed(response.content, tuple(categories)).announcement
        if include_cross_lists:
            return announcement
        kept = tuple(e for e in announcement.entries
                     if e.announce_type not in (AnnounceType.CROSS, AnnounceType.REPLACE_CROSS))
        return Announcement(announcement.categories, announcement.announce_date, kept)

    # the API -----------------------------------------------------------------------
    def pdf(self, arxiv_id: str, version: int) -> bytes:
        """The paper's PDF (one polite request, same throttle and retries as every arXiv request)."""
        url = f"{self.config['arxiv.pdf_url'].rstrip('/')}/{arxiv_id}v{version}"
        response = self.session.get(url)
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise ArxivUnavailableError(f"arXiv did not give the PDF of {arxiv_id}v{version} "
                                        f"(HTTP {response.status_code})", details={"arxiv_id": arxiv_id})
        return response.content

    def papers_by_id(self, ids: Iterable[str], *, progress: Progress | None = None) -> list[Paper]:
        """Full metadata of the given papers (any id form); unknown ids are simply absent."""
        wanted = list(dict.fromkeys(parse_arxiv_id(i).id for i in ids))
        papers: list[Paper] = []
        for start in range(0, len(wanted), ID_BATCH):
            batch = wanted[start:start + ID_BATCH]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            papers.extend(p for p in self._results(search) if p.arxiv_id in batch)
            if progress:
                progress(len(batch))
        return papers

    def search_keyword(self, keyword: str, *, max_results: int) -> list[Paper]:
        """Newest papers with the phrase in title or abstract."""
        phrase = clean_text(keyword).replace('"', "")
        if not phrase:
            raise ArxivQueryError("empty keyword watch")
        search = arxiv.Search(
            query=f'ti:"{phrase}" OR abs:"{phrase}"',
            max_results=max_results,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Descending,
        )
        return list(self._results(search))

    def submitted_between(self, categories: tuple[str, ...], start: date, end: date, *,
                          max_results: int = 2000) -> list[AnnouncementEntry]:
        """Papers submitted in [start, end] (UTC dates) in ``categories``, for backfill.

        The announce date is estimated from the submission time with arXiv's calendar.
        """
        cats = " OR ".join(f"cat:{c}" for c in categories)
        window = f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"
        search = arxiv.Search(query=f"({cats}) AND {window}", max_results=max_results,
                              sort_by=arxiv.SortCriterion.SubmittedDate, sort_order=arxiv.SortOrder.Descending)
        entries = []
        for paper in self._results(search):
            kind = AnnounceType.NEW if paper.primary_category in categories else AnnounceType.CROSS
            if paper.version > 1:
                kind = AnnounceType.REPLACE if kind is AnnounceType.NEW else AnnounceType.REPLACE_CROSS
            day = estimated_announce_date(paper.published) if paper.published else None
            entries.append(AnnouncementEntry(replace(paper, announce_date=day, announce_type=kind), kind))
        return entries

    def _results(self, search: arxiv.Search) -> Iterator[Paper]:
        seen: set[str] = set()
        try:
            for result in self._client.results(search):
                paper = paper_from_result(result)
                if paper is not None and paper.arxiv_id not in seen:
                    seen.add(paper.arxiv_id)
                    yield paper
        except arxiv.HTTPError as exc:  # only non-retryable statuses get here
            raise ArxivError(f"arXiv API answered HTTP {exc.status}") from exc
        except arxiv.UnexpectedEmptyPageError as exc:
            # The old backend counts id-less "ghost" entries for unknown ids in totalResults,
            # so an id_list query can end on an empty page: that is the end, not an outage.
            if not search.id_list:
                raise ArxivUnavailableError("arXiv API returned an unexpected empty page") from exc


def paper_from_result(result: arxiv.Result) -> Paper | None:
    """Our Paper from an ``arxiv.Result``; None for the old backend's id-less ghost entries."""
    try:
        parsed = parse_arxiv_id(result.entry_id or "")
    except InvalidArxivIdError:
        return None
    categories = arxiv_categories(list(result.categories))
    primary = result.primary_category if result.primary_category in categories else (categories[0] if categories else "")
    if primary and categories and categories[0] != primary:
        categories = (primary, *[c for c in categories if c != primary])
    return Paper(
        arxiv_id=parsed.id,
        version=parsed.version or 1,
        title=clean_text(result.title),
        authors=tuple(clean_text(a.name) for a in result.authors),
        abstract=clean_text(result.summary),
        categories=categories,
        primary_category=primary,
        comment=clean_text(result.comment) or None,
        journal_ref=clean_text(result.journal_ref) or None,
        doi=clean_text(result.doi) or None,
        published=result.published,
        updated=result.updated,
    )


def estimated_announce_date(submitted: datetime) -> date:
    """The announcement that would carry a submission made at ``submitted``.

    Submissions received before 14:00 US Eastern on a weekday go out with that day's
    announcement (Friday's on Sunday evening), labelled with the next announcement date.
    """
    local = submitted.astimezone(EASTERN)
    cutoff = local.date() + timedelta(days=1 if local.time() >= time(14, 0) else 0)
    while cutoff.weekday() >= 5:  # no cutoff on weekends
        cutoff += timedelta(days=1)
    day = cutoff + timedelta(days=1)
    while not has_announcement(day):
        day += timedelta(days=1)
    return day


def utc_today() -> date:
    return datetime.now(timezone.utc).date()
