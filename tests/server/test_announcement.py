"""The announcement state shown above the popup's list (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from server.announcement import announcement_state
from sync.models import FetchOutcome
from sync.store import FetchRun

DAY = date(2025, 9, 24)


def run(id: int, outcome: FetchOutcome, day: date | None, kind: str = "feed", message: str = "") -> FetchRun:
    return FetchRun(id=id, started_at="2025-09-25T00:00:00Z", finished_at="2025-09-25T00:00:05Z", kind=kind,
                    query="cs.LG", announce_date=day, outcome=outcome, new_count=0, cross_count=0,
                    updated_count=0, message=message)


OK_DAY = run(1, FetchOutcome.OK, DAY)


@pytest.mark.parametrize("runs,day,total,explicit,state", [
    ([], None, 0, False, "not_fetched"),
    ([OK_DAY], DAY, 5, False, "ok"),
    ([OK_DAY], DAY, 0, False, "ok"),  # fetched, nothing matched
    ([run(2, FetchOutcome.NO_ANNOUNCEMENT, date(2025, 9, 27)), OK_DAY], DAY, 5, False, "no_announcement"),
    ([run(2, FetchOutcome.NO_ANNOUNCEMENT, date(2025, 9, 27)), OK_DAY], DAY, 5, True, "ok"),
    ([run(2, FetchOutcome.UNREACHABLE, None), OK_DAY], DAY, 5, False, "unreachable"),
    ([run(2, FetchOutcome.ERROR, None, message="bad feed"), OK_DAY], DAY, 5, False, "error"),
    ([run(2, FetchOutcome.UNREACHABLE, None, kind="keywords"), OK_DAY], DAY, 5, False, "ok"),
    ([run(2, FetchOutcome.RUNNING, None), OK_DAY], DAY, 5, False, "ok"),
    ([run(1, FetchOutcome.NO_ANNOUNCEMENT, DAY)], DAY, 0, True, "no_announcement"),
    ([run(1, FetchOutcome.UNREACHABLE, None)], None, 0, False, "unreachable"),
    ([OK_DAY], date(2025, 1, 2), 0, True, "not_fetched"),
])
def test_announcement_state_table(runs, day, total, explicit, state):
    assert announcement_state(runs, day, total=total, explicit_date=explicit).state == state


def test_announcement_state_nothing_matched_is_said_so():
    result = announcement_state([OK_DAY], DAY, total=0, explicit_date=False)
    assert "matched" in result.message and str(DAY) in result.message
