"""The daily cycle: fetch, Zotero pull, rank, report, deliver, outbox push.

One orchestrator with its stages injected (``Stages``), so each stage's failure
handling is tested without the network. Every stage is idempotent, so running
the cycle twice for a day changes nothing the second time (the email is not
re-sent unless the day's result changed). Only a real failure makes the cycle
fail: "no announcement today" is a normal day, and a stage that fails does not
stop the report from being written with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .cycle_lock import cycle_lock
from .errors import PaperfeedError
from .models import FetchOutcome, Progress
from .reports import DailyReport, build_daily, render_daily
from .sample import SAMPLE_CATEGORIES, SAMPLE_DATE, sample_announcement, sample_library
from .settings import Config

log = logging.getLogger(__name__)


def _run_fetch(store, config, *, sample, progress, day=None):
    from .fetch import run_fetch
    return run_fetch(store, config, day=day, sample=sample, progress=progress)


def _pull_library(store, config, *, progress):
    from .library_sync import pull_library
    return pull_library(store, config, progress=progress)


def _rank_day(store, config, day, *, now, library):
    from .rank_stage import rank_day
    return rank_day(store, config, day, now=now, library=library)


def _push_outbox(store, config):
    from .saving.push import push_outbox
    return push_outbox(store, config)


def _deliver(store, config, report, rendered):
    from .delivery import deliver
    return deliver(store, config, report, rendered)


@dataclass
class Stages:
    """The stages the cycle runs; defaults are the real ones."""

    fetch: Callable[..., Any] = _run_fetch
    pull: Callable[..., Any] = _pull_library
    rank: Callable[..., Any] = _rank_day
    deliver: Callable[..., Any] = _deliver
    push: Callable[..., Any] = _push_outbox


@dataclass
class StepResult:
    name: str
    status: str  # ok | skipped | failed
    message: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "message": self.message}


@dataclass
class CycleResult:
    day: date | None = None
    sample: bool = False
    steps: list[StepResult] = field(default_factory=list)
    report: DailyReport | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        return [f"{s.name}: {s.status}" + (f" ({s.message})" if s.message else "") for s in self.steps]


def _line(summary: Any) -> str:
    line = getattr(summary, "line", None)
    return line() if callable(line) else ""


def _sample_keyword_hits(store, config: Config) -> int:
    """Offline stand-in for the keyword watches: the phrase in a sample paper's title or abstract."""
    papers = [e.paper for e in sample_announcement().entries]
    found = 0
    for keyword in config["arxiv.keywords"]:
        needle = keyword.lower()
        ids = [p.arxiv_id for p in papers if needle in f"{p.title} {p.abstract}".lower()]
        found += len(ids)
        store.record_keyword_hits(keyword, ids, on=SAMPLE_DATE)
    return found


def run_cycle(config: Config, store, *, sample: bool = False, now: datetime | None = None,
              progress: Progress | None = None, stages: Stages | None = None,
              day: date | None = None) -> CycleResult:
    """Run the whole cycle under the cross-process lock; raises ``BusyError`` if one is running.

    ``day``: redo a past announcement date instead of today's (ignored with ``sample``).
    """
    with cycle_lock(store, now=now):
        run_id = store.start_cycle_run(day=None, sample=sample)
        try:
            result = _run_locked(config, store, sample=sample, now=now or datetime.now(timezone.utc),
                                 progress=progress, stages=stages or Stages(), day=day)
        except BaseException as exc:  # a bug or Ctrl-C: the run must not stay "running" in the history
            store.finish_cycle_run(run_id, status="failed", day=None, steps=[], message=repr(exc))
            raise
        store.finish_cycle_run(run_id, status="ok" if result.ok else "failed", day=result.day,
                               steps=[s.as_dict() for s in result.steps],
                               message="; ".join(f"{s.name}: {s.message}" for s in result.failed))
        return result


def _run_step(result: CycleResult, progress: Progress | None, name: str,
              func: Callable[[], str | tuple[str, str]]) -> bool:
    """Run one step of the cycle and record its outcome; a failure is recorded, not raised."""
    if progress:
        progress(name, 0, 0)
    try:
        outcome = func()
    except PaperfeedError as exc:
        result.steps.append(StepResult(name, "failed", exc.message))
        log.warning("cycle step %s failed: %s", name, exc.message)
        return False
    status, message = outcome if isinstance(outcome, tuple) else ("ok", outcome)
    result.steps.append(StepResult(name, status, message))
    return status != "failed"


def _run_locked(config: Config, store, *, sample: bool, now: datetime, progress: Progress | None,
                stages: Stages, day: date | None) -> CycleResult:
    result = CycleResult(sample=sample)
    if sample:
        config = config.with_values(arxiv__categories=list(SAMPLE_CATEGORIES))

    def step(name: str, func: Callable[[], str | tuple[str, str]]) -> bool:
        return _run_step(result, progress, name, func)

    fetched: dict[str, Any] = {}

    def fetch() -> tuple[str, str]:
        if sample or day is None:
            summary = stages.fetch(store, config, sample=sample, progress=progress)
        else:
            summary = stages.fetch(store, config, sample=False, progress=progress, day=day)
        fetched["summary"] = summary
        if sample:
            hits = _sample_keyword_hits(store, config)
            return "ok", f"bundled real sample of {SAMPLE_DATE}, no network used; {summary.line()}; " \
                         f"{hits} sample keyword hits"
        if summary.outcome in (FetchOutcome.UNREACHABLE, FetchOutcome.ERROR):
            return "failed", summary.line()
        # what went wrong on the side (keyword watches, API metadata) lives in the message, not the line
        return "ok", summary.line() + (f"; note: {summary.message}" if summary.message else "")

    step("fetch", fetch)
    _after_fetch(result, config, store, summary=fetched.get("summary"), sample=sample, now=now,
                 progress=progress, stages=stages)
    return result


def run_user_stages(config: Config, store, *, summary, fetch_step: StepResult, now: datetime,
                    stages: Stages | None = None, progress: Progress | None = None) -> CycleResult:
    """The cycle after a fetch done elsewhere (a lab server fetches once for all its users)."""
    result = CycleResult(steps=[fetch_step])
    _after_fetch(result, config, store, summary=summary, sample=False, now=now, progress=progress,
                 stages=stages or Stages())
    return result


def _after_fetch(result: CycleResult, config: Config, store, *, summary, sample: bool, now: datetime,
                 progress: Progress | None, stages: Stages) -> None:
    """Zotero pull, rank, report and delivery, outbox push (each step's failure recorded, not raised)."""

    def step(name: str, func: Callable[[], str | tuple[str, str]]) -> bool:
        return _run_step(result, progress, name, func)

    def pull() -> tuple[str, str]:
        if sample:
            return "skipped", "sample mode: the bundled sample library stands in for Zotero"
        if not config.zotero_configured:
            return "skipped", "Zotero is not configured (zotero.library_id and the API key)"
        return "ok", _line(stages.pull(store, config, progress=progress))

    fetched_day = summary.announce_date if summary is not None else None
    step("zotero pull", pull)

    def rank() -> tuple[str, str]:
        if summary is None or summary.outcome is not FetchOutcome.OK or fetched_day is None:
            return "skipped", "nothing new to rank"
        library = sample_library() if sample else None
        return "ok", _line(stages.rank(store, config, fetched_day, now=now, library=library))

    step("rank", rank)
    report_day = fetched_day if summary is not None and summary.outcome is FetchOutcome.OK else None

    def report() -> tuple[str, str]:
        daily = build_daily(store, config, day=report_day, now=now, sample=sample)
        result.report, result.day = daily, daily.day
        rendered = {fmt: render_daily(daily, fmt) for fmt in ("md", "html", "text")}
        delivery = stages.deliver(store, config, daily, rendered)
        result.files = list(delivery.files)
        head = daily.found_line if daily.papers else f"no papers: {daily.empty_message}"
        return "ok", f"{head} {delivery.line()}"

    step("report", report)

    def push() -> tuple[str, str]:
        if sample or not config.zotero_configured:
            return "skipped", "Zotero is not configured" if not sample else "sample mode"
        return "ok", _line(stages.push(store, config))

    step("outbox push", push)
