"""The fetch stage: arXiv -> store, with every run and its outcome recorded.

Outcomes are kept apart on purpose: an empty announcement (weekend, holiday) is
``no_announcement``; arXiv not answering is ``unreachable``; a rejected request is
``error``. Storing an announcement is one transaction, so a crash mid-fetch leaves
the store as it was, and re-running the same day changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, timedelta

from .arxiv.calendar import announcement_days, has_announcement
from .arxiv.source import ArxivSource, utc_today
from .errors import ArxivError, ArxivUnavailableError, InvalidInputError, PaperfeedError
from .models import Announcement, AnnouncementEntry, AnnounceType, FetchOutcome, FetchSummary, Progress
from .sample import sample_announcement
from .settings import Config
from .store import Store

log = logging.getLogger(__name__)



def run_fetch(store: Store, config: Config, *, day: date | None = None, sample: bool = False,
              backfill_days: int = 0, progress: Progress | None = None,
              source: ArxivSource | None = None) -> FetchSummary:
    """Fetch and store; returns what was found. Raises only for store failures.

    ``sample``: load the bundled real sample instead of the network. ``day``: a past
    announcement date (fetched from the API, as the feed only holds today's).
    ``backfill_days``: also fetch the announcements of the previous N announcement days.
    """
    if sample:
        return store_announcement(store, sample_announcement(), kind="sample", query="bundled sample")
    if day is not None and day > utc_today() + timedelta(days=1):
        raise InvalidInputError(f"{day} is in the future: arXiv has not announced it yet")
    source = source or ArxivSource(config)
    categories = tuple(config["arxiv.categories"])
    if day is not None and not has_announcement(day):
        return _record_no_announcement(store, categories, day, "arXiv does not announce on this date")
    past = day is not None and day < utc_today() - timedelta(days=1)
    if past:
        summary = _fetch_past_day(store, config, source, categories, day)
    else:
        summary = _fetch_today(store, config, source, categories, progress)
        if day is not None and summary.announce_date not in (None, day) and summary.outcome is FetchOutcome.OK:
            summary.message = (summary.message + "; " if summary.message else "") + \
                f"the feed holds {summary.announce_date}, not {day}"
    if backfill_days:
        end = (summary.announce_date or day or utc_today()) - timedelta(days=1)
        for past in announcement_days(end, backfill_days):
            summary.days.append(_fetch_past_day(store, config, source, categories, past))
            if progress:
                progress("backfill", len(summary.days), backfill_days)
    # Keyword watches find the newest papers, not a past day's: recorded as hits of a past day they
    # would be ranked there and never shown as new; the next run for today records them.
    if config["arxiv.keywords"] and summary.outcome is not FetchOutcome.UNREACHABLE and not past:
        _fetch_keywords(store, config, source, summary, progress)
    return summary


def store_announcement(store: Store, announcement: Announcement, *, kind: str, query: str,
                       source_name: str | None = None) -> FetchSummary:
    """Store one announcement and record the run (used for the feed, backfill and sample)."""
    run_id = store.start_fetch_run(kind=kind, query=query)
    summary = summarize(announcement)
    if announcement.is_empty:
        summary.outcome = FetchOutcome.NO_ANNOUNCEMENT
    else:
        store.upsert_entries(announcement.entries, announce_date=announcement.announce_date,
                             source=source_name or kind)
    store.finish_fetch_run(run_id, outcome=summary.outcome, announce_date=announcement.announce_date,
                           new=summary.new, cross=summary.cross, updated=summary.updated,
                           message=summary.message)
    return summary


def summarize(announcement: Announcement) -> FetchSummary:
    counts = {kind: 0 for kind in AnnounceType}
    for entry in announcement.entries:
        counts[entry.announce_type] += 1
    return FetchSummary(
        categories=announcement.categories,
        announce_date=announcement.announce_date,
        new=counts[AnnounceType.NEW],
        cross=counts[AnnounceType.CROSS],
        updated=counts[AnnounceType.REPLACE] + counts[AnnounceType.REPLACE_CROSS],
    )


def _fetch_today(store: Store, config: Config, source: ArxivSource, categories: tuple[str, ...],
                 progress: Progress | None) -> FetchSummary:
    query = source.feed_url(categories)
    run_id = store.start_fetch_run(kind="feed", query=query)
    try:
        announcement = source.announcement(categories, include_cross_lists=config["arxiv.include_cross_lists"])
    except ArxivUnavailableError as exc:
        return _failed(store, run_id, categories, FetchOutcome.UNREACHABLE, exc)
    except ArxivError as exc:
        return _failed(store, run_id, categories, FetchOutcome.ERROR, exc)
    summary = summarize(announcement)
    if announcement.is_empty:
        summary.outcome = FetchOutcome.NO_ANNOUNCEMENT
    else:
        entries, note = _with_full_metadata(source, announcement.entries, progress)
        summary.message = note
        store.upsert_entries(entries, announce_date=announcement.announce_date, source="feed")
    store.finish_fetch_run(run_id, outcome=summary.outcome, announce_date=announcement.announce_date,
                           new=summary.new, cross=summary.cross, updated=summary.updated, message=summary.message)
    return summary


def _with_full_metadata(source: ArxivSource, entries: tuple[AnnouncementEntry, ...],
                        progress: Progress | None) -> tuple[list[AnnouncementEntry], str]:
    """Add what the feed lacks (comment, dates, journal ref) from the API; keep the feed's view."""
    ids = [e.paper.arxiv_id for e in entries]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("metadata", done, len(ids))

    try:
        full = {p.arxiv_id: p for p in source.papers_by_id(ids, progress=advance)}
    except PaperfeedError as exc:
        log.warning("metadata from the feed only: %s", exc.message)
        return list(entries), f"metadata from the feed only ({exc.message})"
    merged = []
    for entry in entries:
        extra = full.get(entry.paper.arxiv_id)
        paper = entry.paper.merged_with(extra) if extra else entry.paper
        if extra and extra.version == paper.version:
            paper = replace(paper, published=extra.published, updated=extra.updated)
        merged.append(AnnouncementEntry(paper, entry.announce_type))
    missing = len(ids) - len(full)
    return merged, (f"{missing} papers not found by the API" if missing else "")


def _fetch_past_day(store: Store, config: Config, source: ArxivSource, categories: tuple[str, ...],
                    day: date) -> FetchSummary:
    """A past announcement, rebuilt from the API (submissions that fed that day's mailing)."""
    query = f"backfill {'+'.join(categories)} {day}"
    run_id = store.start_fetch_run(kind="backfill", query=query)
    previous = _previous_announcement_day(day)
    try:
        found = source.submitted_between(categories, previous - timedelta(days=1), day)
    except ArxivUnavailableError as exc:
        return _failed(store, run_id, categories, FetchOutcome.UNREACHABLE, exc, day)
    except ArxivError as exc:
        return _failed(store, run_id, categories, FetchOutcome.ERROR, exc, day)
    entries = tuple(e for e in found if e.paper.announce_date == day
                    and (config["arxiv.include_cross_lists"] or e.announce_type is AnnounceType.NEW))
    announcement = Announcement(categories, day, entries)
    summary = summarize(announcement)
    if entries:
        store.upsert_entries(entries, announce_date=day, source="backfill")
    else:
        summary.outcome = FetchOutcome.NO_ANNOUNCEMENT
        summary.message = "the API lists no submissions for this announcement"
    store.finish_fetch_run(run_id, outcome=summary.outcome, announce_date=day, new=summary.new,
                           cross=summary.cross, updated=summary.updated, message=summary.message)
    return summary


def _record_no_announcement(store: Store, categories: tuple[str, ...], day: date, why: str) -> FetchSummary:
    run_id = store.start_fetch_run(kind="feed", query=f"{'+'.join(categories)} {day}")
    store.finish_fetch_run(run_id, outcome=FetchOutcome.NO_ANNOUNCEMENT, announce_date=day, message=why)
    return FetchSummary(categories=categories, announce_date=day, outcome=FetchOutcome.NO_ANNOUNCEMENT, message=why)


def _previous_announcement_day(day: date) -> date:
    previous = day - timedelta(days=1)
    while not has_announcement(previous):
        previous -= timedelta(days=1)
    return previous


def _fetch_keywords(store: Store, config: Config, source: ArxivSource, summary: FetchSummary,
                    progress: Progress | None) -> None:
    keywords = tuple(config["arxiv.keywords"])
    summary.keywords = keywords
    today = summary.announce_date or utc_today()
    problems = []
    for index, keyword in enumerate(keywords, start=1):
        run_id = store.start_fetch_run(kind="keywords", query=keyword)
        try:
            papers = source.search_keyword(keyword, max_results=config["arxiv.keyword_max_results"])
        except ArxivError as exc:
            outcome = FetchOutcome.UNREACHABLE if isinstance(exc, ArxivUnavailableError) else FetchOutcome.ERROR
            store.finish_fetch_run(run_id, outcome=outcome, message=exc.message)
            problems.append(f"keyword {keyword!r}: {exc.message}")
            continue
        entries = [AnnouncementEntry(p, AnnounceType.NEW) for p in papers]
        store.upsert_entries(entries, announce_date=None, source="keyword")
        added = store.record_keyword_hits(keyword, [p.arxiv_id for p in papers], on=today)
        summary.keyword_new += added
        store.finish_fetch_run(run_id, outcome=FetchOutcome.OK, new=added, message=f"{len(papers)} found")
        if progress:
            progress("keywords", index, len(keywords))
    if problems:
        summary.message = "; ".join(filter(None, [summary.message, *problems]))


def _failed(store: Store, run_id: int, categories: tuple[str, ...], outcome: FetchOutcome,
            exc: PaperfeedError, day: date | None = None) -> FetchSummary:
    store.finish_fetch_run(run_id, outcome=outcome, announce_date=day, message=exc.message)
    return FetchSummary(categories=categories, announce_date=day, outcome=outcome, message=exc.message)
