"""``paperfeed fetch``."""

from __future__ import annotations

import sys

import click

from ..models import FetchOutcome
from . import cli
from .context import AppContext, pass_app, run_command
from .progress import ProgressBars


@cli.command()
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Announcement date (YYYY-MM-DD); default: today's announcement.")
@click.option("--backfill", type=click.IntRange(min=0, max=60), default=0, show_default=True,
              help="Also fetch the previous N announcement days.")
@click.option("--sample", is_flag=True, help="Load the bundled real sample day instead of the network.")
@pass_app
@run_command
def fetch(app: AppContext, day, backfill: int, sample: bool) -> None:
    """Fetch the new arXiv papers of your categories and keyword watches."""
    from ..fetch import run_fetch
    
    with ProgressBars() as bars:
        summary = run_fetch(app.store, app.config, day=day.date() if day else None, sample=sample,
                            backfill_days=backfill, progress=bars.update)
    if sample:
        click.echo(f"bundled real sample announcement of {summary.announce_date} (no network used)")
    for past in summary.days:
        click.echo(f"  {past.announce_date}: {past.line()}")
    click.echo(summary.line())
    if summary.message and summary.outcome in (FetchOutcome.OK, FetchOutcome.NO_ANNOUNCEMENT):
        click.echo(f"note: {summary.message}")
    if summary.outcome in (FetchOutcome.UNREACHABLE, FetchOutcome.ERROR):
        sys.exit(1)
