"""arXiv's announcement calendar: which dates carry an announcement.

arXiv announces Sunday-Thursday at 20:00 US Eastern; the feed labels each
announcement with the following date (Monday-Friday). There is no announcement
labelled Saturday or Sunday, nor on arXiv's holidays.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_TIME = time(20, 0)

# Dates with no announcement (arXiv's published holiday schedule).
HOLIDAYS: frozenset[date] = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-01-01", "2025-01-20", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01",
        "2025-11-27", "2025-12-25", "2025-12-26", "2025-12-31",
        "2026-01-01", "2026-01-19", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26",
        "2026-12-25", "2026-12-29", "2026-12-31",
    )
)


def has_announcement(day: date) -> bool:
    """True when arXiv publishes an announcement labelled ``day``."""
    return day.weekday() < 5 and day not in HOLIDAYS


def announcement_label(now: datetime) -> date:
    """The label date of the newest announcement published at ``now`` (aware datetime).

    Announcements go out at 20:00 Eastern and carry the next day's date.
    """
    local = now.astimezone(EASTERN)
    day = local.date() + timedelta(days=1) if local.time() >= ANNOUNCE_TIME else local.date()
    while not has_announcement(day):
        day -= timedelta(days=1)
    return day


def announcement_days(end: date, count: int) -> list[date]:
    """The ``count`` announcement dates up to and including ``end``, newest first."""
    days: list[date] = []
    day = end
    while len(days) < count:
        if has_announcement(day):
            days.append(day)
        day -= timedelta(days=1)
    return days
