"""Read the store into report models: which day, which papers, and why there are none."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ..arxiv.calendar import ANNOUNCE_TIME, EASTERN, HOLIDAYS, has_announcement
from ..models import FetchOutcome
from ..sample import SAMPLE_CATEGORIES
from ..settings import Config
from ..summarize import Summarizer
from .model import DailyReport, DigestDay, DigestEntry, EmptyReason, KeywordTable, WeeklyReport

_KEYWORD_LIMIT = 100
_ANNOUNCEMENT_KINDS_EXCLUDED = ("keywords", "backfill")  # fetch runs that say nothing about "today"


def relevance_threshold(config: Config) -> float | None:
    """The ranking's threshold: the ranking stores only papers above it, but a lower stored
    ranking (the threshold was raised since) must not show papers the user now filters out."""
    value = config.get("ranking.threshold")
    return float(value) if value is not None else None


def expected_label(moment: datetime) -> date:
    """The announcement date a run at ``moment`` is after (no skipping of empty days)."""
    local = moment.astimezone(EASTERN)
    return local.date() + timedelta(days=1) if local.time() >= ANNOUNCE_TIME else local.date()


def _started(run) -> datetime:
    return datetime.fromisoformat(run.started_at.replace("Z", "+00:00"))


def _run_label(run) -> date:
    return run.announce_date or expected_label(_started(run))


def _announcement_runs(store) -> list:
    return [r for r in store.fetch_runs(limit=50)
            if r.kind not in _ANNOUNCEMENT_KINDS_EXCLUDED and r.outcome is not FetchOutcome.RUNNING]


def resolve_day(store, *, now: datetime | None = None) -> date:
    """The day a report without ``--date`` is about: the newest news, good or bad.

    A later run that found no announcement or could not reach arXiv wins over an
    older ranking, so the report says *why* today is empty instead of repeating
    yesterday.
    """
    candidates: list[date] = []
    latest = store.latest_ranking_date()
    if latest:
        candidates.append(latest)
    runs = _announcement_runs(store)
    if runs:
        candidates.append(_run_label(runs[0]))
    if not candidates:
        candidates.append(expected_label(now or datetime.now(timezone.utc)))
    return max(candidates)


def _ranked_on(store, day: date) -> bool:
    """True when the ranking ran for ``day`` (it stores only the papers above its threshold)."""
    run = store.last_rank_run()
    return run is not None and run.announce_date is not None and run.announce_date >= day


def _reason(store, config: Config, day: date, announced: int) -> tuple[EmptyReason, str]:
    threshold = relevance_threshold(config)
    if announced:
        ranked = store.count_ranked(day)
        if ranked or _ranked_on(store, day):
            limit = f" {threshold:g}" if threshold is not None else ""
            return (EmptyReason.NOTHING_ABOVE_THRESHOLD,
                    f"{announced} papers were announced and ranked; none scored above the relevance "
                    f"threshold{limit}. Lower the threshold to see more of them.")
        return (EmptyReason.NOT_FETCHED,
                f"{announced} papers were announced but are not ranked yet: run “paperfeed daily”.")
    runs = [r for r in _announcement_runs(store) if _run_label(r) == day]
    run = runs[0] if runs else None
    if run is not None and run.outcome in (FetchOutcome.UNREACHABLE, FetchOutcome.ERROR):
        detail = f" ({run.message})" if run.message else ""
        return (EmptyReason.UNREACHABLE,
                f"arXiv could not be reached at {run.started_at}{detail}. The papers will appear after the "
                f"next successful run.")
    if not has_announcement(day):
        why = "an arXiv holiday" if day in HOLIDAYS else f"a {day.strftime('%A')}"
        return (EmptyReason.NO_ANNOUNCEMENT,
                f"No announcement today: {day.isoformat()} is {why}, and arXiv publishes no announcement then.")
    if run is not None and run.outcome is FetchOutcome.NO_ANNOUNCEMENT:
        return (EmptyReason.NO_ANNOUNCEMENT,
                f"No announcement today: arXiv's feed listed no papers for {day.isoformat()}"
                f"{' (' + run.message + ')' if run.message else ''}.")
    if run is not None:
        return (EmptyReason.NO_ANNOUNCEMENT,
                f"The announcement of {day.isoformat()} listed no papers in your categories.")
    return (EmptyReason.NOT_FETCHED,
            f"Nothing has been fetched for {day.isoformat()} yet: run “paperfeed daily”.")


def _is_sample_day(store, day: date) -> bool:
    """The day came from the bundled sample: its report names the sample's categories."""
    return any(r.kind == "sample" and r.announce_date == day for r in store.fetch_runs(limit=50))


def build_daily(store, config: Config, *, day: date | None = None, now: datetime | None = None,
                sample: bool = False) -> DailyReport:
    now = now or datetime.now(timezone.utc)
    day = day or resolve_day(store, now=now)
    threshold = relevance_threshold(config)
    limit = max(1, int(config["reports.max_papers"]))
    papers = tuple(store.ranked_papers(day, min_score=threshold, limit=limit))
    total = store.count_ranked(day, min_score=threshold) if papers else 0
    announced = len(store.announced_papers(day))
    reason, message = (None, "") if papers else _reason(store, config, day, announced)
    keywords = tuple(config["arxiv.keywords"])
    tables = tuple(KeywordTable(k, tuple(store.keyword_papers(k, limit=_KEYWORD_LIMIT))) for k in keywords)
    sample = sample or _is_sample_day(store, day)
    categories = SAMPLE_CATEGORIES if sample else tuple(config["arxiv.categories"])
    return DailyReport(day=day, generated_at=now.astimezone(timezone.utc).replace(microsecond=0),
                       categories=categories, keywords=keywords, papers=papers, total_relevant=total,
                       announced=announced, empty_reason=reason, empty_message=message,
                       keyword_tables=tables, sample=sample)


def _labels(ranked, keywords: tuple[str, ...]) -> tuple[str, ...]:
    paper = ranked.paper
    text = f"{paper.title} {paper.abstract}".lower()
    labels = [paper.primary_category] if paper.primary_category else []
    labels += [c for c in paper.categories if c != paper.primary_category]
    labels += [t for t in ranked.tags if t not in labels]
    labels += [k for k in keywords if k.lower() in text and k not in labels]
    return tuple(labels)


def build_weekly(store, config: Config, *, day: date | None = None, now: datetime | None = None,
                 summarizer: Summarizer | None = None) -> WeeklyReport:
    """The seven days ending at ``day``, announcement days only, newest day first."""
    now = now or datetime.now(timezone.utc)
    end = day or resolve_day(store, now=now)
    start = date.fromordinal(max(1, end.toordinal() - 6))  # the first week of year 1 is shorter
    summarizer = summarizer or Summarizer(config)
    threshold = relevance_threshold(config)
    limit = max(1, int(config["reports.max_papers"]))
    keywords = tuple(config["arxiv.keywords"])
    days = []
    for ordinal in range(end.toordinal(), start.toordinal() - 1, -1):
        current = date.fromordinal(ordinal)
        if has_announcement(current) or store.count_ranked(current):
            ranked = store.ranked_papers(current, min_score=threshold, limit=limit)
            entries = tuple(DigestEntry(r, summarizer.summarize(r.paper), _labels(r, keywords)) for r in ranked)
            reason, message = (None, "") if entries else _reason(store, config, current,
                                                                 len(store.announced_papers(current)))
            if reason is not EmptyReason.NOT_FETCHED:  # days before paperfeed ran are noise in a digest
                days.append(DigestDay(current, entries, message))
    used = "extractive" if not summarizer.url or summarizer.used_fallback else summarizer.model
    categories = SAMPLE_CATEGORIES if _is_sample_day(store, end) else tuple(config["arxiv.categories"])
    return WeeklyReport(start=start, end=end, generated_at=now.astimezone(timezone.utc).replace(microsecond=0),
                        categories=categories, keywords=keywords, days=tuple(days),
                        summaries_by=used)
