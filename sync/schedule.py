"""When the daily cycle runs by itself: shortly after arXiv's announcement.

arXiv announces at 20:00 US Eastern, Sunday to Thursday (never Friday or Saturday
evening). ``next_run`` computes the next start in Eastern wall-clock time, so it
stays right across daylight-saving changes, and APScheduler runs it through
``AnnouncementTrigger``; a periodic Zotero library sync runs on an interval.
Evenings before an arXiv holiday are kept: that run records "no announcement"
and the report says so, which is what users want to see.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .arxiv.calendar import ANNOUNCE_TIME, EASTERN
from .errors import BusyError, ConfigError, PaperfeedError
from .settings import Config

log = logging.getLogger(__name__)

ANNOUNCE_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday..Thursday (Monday is 0)
DEFAULT_DELAY_MINUTES = 30


def next_run(after: datetime, *, delay_minutes: int = DEFAULT_DELAY_MINUTES) -> datetime:
    """The first announcement evening's 20:00 Eastern + ``delay_minutes`` strictly after ``after`` (UTC)."""
    if after.tzinfo is None:
        raise ValueError("next_run needs an aware datetime")
    if not 0 <= delay_minutes < 24 * 60:
        raise ValueError(f"delay_minutes must be between 0 and 1439, got {delay_minutes}")
    local = after.astimezone(EASTERN)
    day = local.date() - timedelta(days=1)  # a long delay may put today's slot before midnight
    while True:
        if day.weekday() in ANNOUNCE_WEEKDAYS:
            start = datetime.combine(day, ANNOUNCE_TIME, tzinfo=EASTERN) + timedelta(minutes=delay_minutes)
            start_utc = start.astimezone(timezone.utc)  # wall-clock arithmetic, then the real instant
            if start_utc > after:
                return start_utc
        day += timedelta(days=1)


class AnnouncementTrigger(BaseTrigger):
    """APScheduler trigger firing at ``next_run``: the scheduler and ``next_run`` never disagree."""

    def __init__(self, delay_minutes: int = DEFAULT_DELAY_MINUTES):
        self.delay_minutes = delay_minutes

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        after = max(now, previous_fire_time) if previous_fire_time else now
        return next_run(after, delay_minutes=self.delay_minutes)

    def __str__(self) -> str:
        return f"announcement[Sun-Thu 20:00 America/New_York + {self.delay_minutes} min]"


def _guarded(name: str, func: Callable[[], Any]) -> Callable[[], None]:
    """A job that logs instead of raising: one bad night must not stop the schedule."""

    def job() -> None:
        try:
            outcome = func()
            log.info("%s finished: %s", name, outcome)
        except BusyError as exc:
            log.info("%s skipped: %s", name, exc.message)
        except PaperfeedError as exc:
            log.error("%s failed: %s", name, exc.message)
        except Exception:  # noqa: BLE001  (a bug: log it with its traceback, keep serving)
            log.exception("%s crashed", name)

    job.__name__ = name.replace(" ", "_")
    return job


class BackgroundSchedule:
    """The daily cycle and the library sync, in background threads of ``paperfeed serve``."""

    def __init__(self, config: Config, store, *, cycle: Callable[[], Any] | None = None,
                 library_sync: Callable[[], Any] | None = None):
        self.config = config
        self.store = store
        self._cycle = cycle or self._run_cycle
        self._library_sync = library_sync or self._pull_library
        self.scheduler = BackgroundScheduler(timezone=timezone.utc,
                                             job_defaults={"coalesce": True, "max_instances": 1,
                                                           "misfire_grace_time": 3600})

    def _run_cycle(self) -> str:
        from .cycle import run_cycle
        from .lab_cycle import lab_mode, run_lab_cycle

        if lab_mode(self.store):
            return "; ".join(run_lab_cycle(self.config, self.store).lines())

        result = run_cycle(self.config, self.store, sample=not self.config.zotero_configured)
        return "; ".join(result.lines())

    def _pull_library(self) -> str:
        from .lab_cycle import lab_mode

        if lab_mode(self.store):
            return "skipped on a lab server (the daily cycle pulls every user's library)"
        if not self.config.zotero_configured:
            return "skipped (Zotero is not configured)"
        from .cycle_lock import cycle_lock  # never alongside a cycle's own pull
        from .library_sync import pull_library

        with cycle_lock(self.store):
            summary = pull_library(self.store, self.config)
        return summary.line()

    def start(self) -> None:
        if not self.config["schedule.enabled"]:
            log.info("schedule disabled (schedule.enabled = false)")
            return
        delay = int(self.config["schedule.delay_minutes"])
        if not 0 <= delay < 24 * 60:
            raise ConfigError(f"schedule.delay_minutes must be between 0 and 1439 (got {delay})")
        self.scheduler.add_job(_guarded("daily cycle", self._cycle), AnnouncementTrigger(delay), id="daily_cycle",
                               name="daily cycle")
        minutes = int(self.config["schedule.library_sync_minutes"])
        if minutes > 0:
            self.scheduler.add_job(_guarded("library sync", self._library_sync), IntervalTrigger(minutes=minutes),
                                   id="library_sync", name="library sync")
        self.scheduler.start()
        log.info("daily cycle scheduled; next run %s", self.next_cycle_time())

    def next_cycle_time(self) -> datetime | None:
        job = self.scheduler.get_job("daily_cycle")
        return job.next_run_time if job else None

    def shutdown(self, *, wait: bool = True) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def start_scheduler(config: Config, store) -> BackgroundSchedule:
    """Create and start the schedule (what ``paperfeed serve`` calls); stop it with ``.shutdown()``."""
    schedule = BackgroundSchedule(config, store)
    schedule.start()
    return schedule
