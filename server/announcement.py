"""What the popup says above the list: "no announcement today" vs "nothing matched" vs "unreachable".

Pure: decided from the fetch runs (newest first), the date shown and how many matches it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sync.models import FetchOutcome
from sync.store import FetchRun

ANNOUNCEMENT_KINDS = frozenset({"feed", "sample", "backfill"})  # not keyword watches
_PROBLEMS = (FetchOutcome.NO_ANNOUNCEMENT, FetchOutcome.UNREACHABLE, FetchOutcome.ERROR)


@dataclass(frozen=True)
class AnnouncementState:
    state: str  # ok | no_announcement | unreachable | not_fetched | error
    message: str


def announcement_state(runs: Sequence[FetchRun], day: date | None, *, total: int,
                       explicit_date: bool) -> AnnouncementState:
    """State of ``day``'s announcement from the fetch runs (newest first).

    When the caller asked for the default (newest) list and the newest fetch is a
    problem (today has no announcement, arXiv unreachable), that problem is the state,
    so the popup can say so above the last good list it still shows.
    """
    finished = [r for r in runs if r.kind in ANNOUNCEMENT_KINDS and r.outcome is not FetchOutcome.RUNNING]
    for_day = next((r for r in finished if day is not None and r.announce_date == day), None)
    latest = finished[0] if finished else None
    if not explicit_date and latest is not None and latest.outcome in _PROBLEMS and latest is not for_day \
            and (for_day is None or latest.id > for_day.id):
        shown = f"; showing the matches of {day}" if day else ""
        return AnnouncementState(latest.outcome.value, _problem_message(latest) + shown)
    if for_day is not None and for_day.outcome in _PROBLEMS:
        return AnnouncementState(for_day.outcome.value, _problem_message(for_day))
    if day is None:
        return AnnouncementState("not_fetched", "nothing fetched and ranked yet: run `paperfeed daily` "
                                                "or start a sync")
    if for_day is None and total == 0:
        return AnnouncementState("not_fetched", f"the announcement of {day} was not fetched")
    if total == 0:
        return AnnouncementState("ok", f"no paper announced on {day} matched your interests")
    return AnnouncementState("ok", f"{total} matching paper{'s' if total != 1 else ''} announced on {day}")


def _problem_message(run: FetchRun) -> str:
    when = run.announce_date or (run.finished_at or run.started_at)[:10]
    if run.outcome is FetchOutcome.NO_ANNOUNCEMENT:
        return f"no arXiv announcement on {when} (weekend or holiday)"
    detail = f": {run.message}" if run.message else ""
    if run.outcome is FetchOutcome.UNREACHABLE:
        return f"arXiv was unreachable at {run.finished_at or run.started_at}{detail}"
    return f"the last fetch failed{detail}"
