"""Daily and weekly reports (Markdown, HTML) and the Atom feed of the user's matches.

``render_report`` and ``render_atom`` are the entry points the CLI, the daily
cycle and the server use; ``build_daily``/``build_weekly`` give the report
content as data (for delivery, which needs both formats of the same report).
"""

from __future__ import annotations

from datetime import date, datetime

from ..errors import InvalidInputError
from ..settings import Config
from .atom import render_atom
from .gather import build_daily, build_weekly, resolve_day
from .model import DailyReport, EmptyReason, WeeklyReport
from .render import render_daily, render_weekly

FORMATS = ("md", "html")

__all__ = ["render_report", "render_atom", "build_daily", "build_weekly", "resolve_day", "render_daily",
           "render_weekly", "DailyReport", "WeeklyReport", "EmptyReason", "FORMATS"]


def render_report(store, config: Config, *, day: date | None = None, week: bool = False, fmt: str = "md",
                  now: datetime | None = None) -> str:
    """The daily report (or, with ``week``, the weekly digest ending at ``day``) as ``fmt`` text."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown report format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if week:
        return render_weekly(build_weekly(store, config, day=day, now=now), fmt)
    return render_daily(build_daily(store, config, day=day, now=now), fmt)
