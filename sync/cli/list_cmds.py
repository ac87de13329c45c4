"""``paperfeed list``: the papers of one announcement day."""

from __future__ import annotations

from datetime import date

import click

from ..arxiv.calendar import has_announcement
from ..models import Paper
from . import cli
from .context import AppContext, pass_app, run_command


def format_authors(authors: tuple[str, ...], limit: int = 3) -> str:
    shown = ", ".join(authors[:limit])
    return shown + (" et al." if len(authors) > limit else "")


def format_paper_lines(paper: Paper) -> list[str]:
    kind = f" [{paper.announce_type.value}]" if paper.announce_type else ""
    return [
        f"{paper.arxiv_id}{kind}  {paper.title}",
        f"    {format_authors(paper.authors)}",
        f"    {', '.join(paper.categories)}",
    ]


@cli.command("list")
@click.option("--today", "today", is_flag=True,
              help="The newest announcement in the store (the default).")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="An announcement date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many papers.")
@click.option("--include-updates", is_flag=True, help="Also list replacements (new versions of older papers).")
@pass_app
@run_command
def list_papers(app: AppContext, today: bool, day, limit: int, include_updates: bool) -> None:
    """List the papers of an announcement day."""
    store = app.store
    if day is not None:
        wanted: date | None = day.date()
    else:
        dates = store.announcement_dates(limit=1)
        wanted = dates[0] if dates else None
    if wanted is None:
        click.echo("No announcement stored yet: run `paperfeed fetch` (or `paperfeed fetch --sample`).")
        return
    if not include_updates and store.count_ranked(wanted):
        _list_ranked(store, wanted, limit)
        return
    types = None if include_updates else ("new", "cross")
    papers = store.announced_papers(wanted, types=types)
    if not papers:
        if not has_announcement(wanted):
            click.echo(f"No papers for {wanted}: arXiv does not announce on weekends and holidays.")
        else:
            click.echo(f"No papers stored for {wanted}: run `paperfeed fetch --date {wanted}`.")
        return
    click.echo(f"{wanted}: {len(papers)} papers" + (f", showing {limit}" if len(papers) > limit else ""))
    for paper in papers[:limit]:
        for line in format_paper_lines(paper):
            click.echo(line)


def _list_ranked(store, day: date, limit: int) -> None:
    """The day's ranking (``paperfeed rank``): best first, with score, reason and feedback status."""
    ranked = store.ranked_papers(day, limit=limit)
    total = store.count_ranked(day)
    click.echo(f"{day}: {total} ranked papers" + (f", showing {limit}" if total > limit else ""))
    for item in ranked:
        lines = format_paper_lines(item.paper)
        status = "" if item.status == "new" else f" [{item.status}]"
        click.echo(f"{item.rank:>3}. {item.score:.2f}{status}  {lines[0]}")
        click.echo(f"         why: {item.reason}")
        for line in lines[1:]:
            click.echo("     " + line)
