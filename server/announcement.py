"""What the popup says above the list: "no announcement today" vs "nothing matched" vs "unreachable".

Pure: decided from the fetch runs (newest first), the date shown and how many matches it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from sync.models import FetchOutcome
from sync.store import FetchRun, RankRun

ANNOUNCEMENT_KINDS = frozenset({"feed", "sample", "backfill"})  # not keyword watches
_PROBLEMS = (FetchOutcome.NO_ANNOUNCEMENT, FetchOutcome.UNREACHABLE, FetchOutcome.ERROR)


@dataclass(frozen=True)
class AnnouncementState:
    state: str  # ok | no_announcement | unreachable | not_fetched | error
    message: str


def announcement_state(runs: Sequence[FetchRun], day: date | None, *, total: int,
                       explicit_date: bool, rank_run: RankRun | None = None) -> AnnouncementState:
    """State of ``day``'s announcement from the fetch runs (newest first).

    When the caller asked for the default (newest) list and the newest fetch is a
    problem (today has no announcement, arXiv unreachable), that problem is the state,
    so the popup can say so above the last good list it still shows. A ranked day without
    matches says why, from its rank run (``rank_run``): nothing to rank, or what left each paper out.
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
        return AnnouncementState("ok", _nothing_matched(day, rank_run))
    return AnnouncementState("ok", f"{total} matching paper{'s' if total != 1 else ''} announced on {day}")


def _problem_message(run: FetchRun) -> str:
    when = run.announce_date or (run.finished_at or run.started_at)[:10]
    if run.outcome is FetchOutcome.NO_ANNOUNCEMENT:
        return f"no arXiv announcement on {when} (weekend or holiday)"
    detail = f": {run.message}" if run.message else ""
    if run.outcome is FetchOutcome.UNREACHABLE:
        return f"arXiv was unreachable at {run.finished_at or run.started_at}{detail}"
    return f"the last fetch failed{detail}"


_LEFT_OUT = re.compile(r"left out: ([^;]+)")


def _nothing_matched(day: date, run: RankRun | None) -> str:
    """Why a ranked day has no matches, in the rank stage's own words (sync/rank_stage.py)."""
    if run is not None and run.outcome == "no_candidates":
        return f"no new papers or cross-lists in your categories or keyword watches were stored for {day}"
    if run is not None and run.candidates > 0:
        left_out = _LEFT_OUT.search(run.message or "")
        papers = f"{run.candidates} paper{'s' if run.candidates != 1 else ''}"
        return (f"none of the {papers} announced on {day} made your list"
                + (f" (left out: {left_out.group(1).strip()})" if left_out else ""))
    return f"no paper announced on {day} matched your interests"
