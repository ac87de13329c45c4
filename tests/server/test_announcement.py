"""The announcement state shown above the popup's list (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from server.announcement import announcement_state
from sync.models import FetchOutcome
from sync.store import FetchRun, RankRun

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


def rank_run(outcome: str, candidates: int, message: str = "") -> RankRun:
    return RankRun(id=1, started_at="2025-09-25T00:00:00Z", finished_at="2025-09-25T00:00:09Z", announce_date=DAY,
                   backend="embeddings", candidates=candidates, ranked=0, library_size=40, outcome=outcome,
                   message=message)


@pytest.mark.parametrize("ranked,message", [
    (rank_run("ok", 120, "2025-09-24: 0 of 120 papers selected (embeddings, library 40 items); left out: "
                         "118 below threshold, 2 in library"),
     "none of the 120 papers announced on 2025-09-24 made your list (left out: 118 below threshold, 2 in library)"),
    (rank_run("ok", 1, "2025-09-24: 0 of 1 papers selected (embeddings, library 40 items)"),
     "none of the 1 paper announced on 2025-09-24 made your list"),
    (rank_run("no_candidates", 0, "nothing to rank for 2025-09-24: no new papers or cross-lists stored for 2025-09-24"),
     "no new papers or cross-lists in your categories or keyword watches were stored for 2025-09-24"),
    (None, "no paper announced on 2025-09-24 matched your interests"),
])
def test_announcement_state_nothing_matched_gives_the_rank_runs_reason(ranked, message):
    assert announcement_state([OK_DAY], DAY, total=0, explicit_date=False, rank_run=ranked).message == message
