"""``paperfeed daily`` (the whole cycle) and ``paperfeed report`` (render a stored day or week)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..delivery.files import write_atomic
from ..reports import FORMATS, render_report
from ..sample import SAMPLE_DATE
from . import cli
from .context import AppContext, pass_app, run_command
from .progress import ProgressBars

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command()
@click.option("--sample", is_flag=True, help="Use the bundled real sample day and library (no network).")
@click.option("--date", "day", type=_DATE, help="Redo a past announcement date (YYYY-MM-DD).")
@pass_app
@run_command
def daily(app: AppContext, sample: bool, day) -> None:
    """Run the daily cycle: fetch, Zotero pull, rank, report, deliver, outbox push."""
    from ..cycle import run_cycle
    
    config = app.config
    if config["store.url"] and not sample:
        from ..lab_cycle import lab_mode, run_lab_cycle

        if lab_mode(app.store):
            lab = run_lab_cycle(config, app.store, day=day.date() if day else None)
            for line in lab.lines():
                click.echo(line)
            if not lab.ok:
                problems = [f"{name}: {problem}" for name, problem in sorted(lab.problems.items())]
                if lab.fetch.status == "failed":
                    problems.insert(0, f"fetch: {lab.fetch.message}")
                click.echo("error: " + "; ".join(problems), err=True)
                sys.exit(1)
            return
    if not sample and not config.zotero_configured:
        sample = True
        click.echo(f"Zotero is not configured: running on the bundled real sample of {SAMPLE_DATE} "
                   "(no network). Set zotero.library_id and PAPERFEED_ZOTERO_API_KEY for your own feed.")
    elif sample:
        click.echo(f"sample mode: the bundled real sample of {SAMPLE_DATE} (no network)")
    with ProgressBars() as bars:
        result = run_cycle(config, app.store, sample=sample, progress=bars.update,
                           day=day.date() if day else None)
    for line in result.lines():
        click.echo(line)
    for path in result.files:
        click.echo(f"report written to {path}")
    if not result.ok:
        click.echo("error: " + "; ".join(f"{s.name} failed" for s in result.failed), err=True)
        sys.exit(1)


@cli.command()
@click.option("--date", "day", type=_DATE, help="Announcement date (default: the newest).")
@click.option("--week", is_flag=True, help="The weekly digest of the seven days ending at --date.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@pass_app
@run_command
def report(app: AppContext, day, week: bool, fmt: str, out: Path | None) -> None:
    """Render the stored report of a day (or week) as Markdown or HTML."""
    text = render_report(app.store, app.config, day=day.date() if day else None, week=week, fmt=fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, text)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {out}")
