"""``paperfeed sync``, ``paperfeed save``, ``paperfeed outbox`` and ``paperfeed bibtex``."""

from __future__ import annotations

import sys

import click

from ..errors import ZoteroError
from ..ids import parse_arxiv_id
from . import cli
from .context import AppContext, pass_app, run_command
from .progress import ProgressBars


@cli.command("sync")
@click.option("--retry-now", is_flag=True, help="Push every queued paper now, ignoring its backoff.")
@pass_app
@run_command
def sync_command(app: AppContext, retry_now: bool) -> None:
    """Pull changes of your Zotero library, then push the papers waiting in the outbox."""
    from ..library_sync import pull_library
    from ..saving.push import push_outbox
    
    failed = False
    with ProgressBars() as bars:
        try:
            pulled = pull_library(app.store, app.config, progress=bars.update)
            click.echo(pulled.line())
        except ZoteroError as exc:
            click.echo(f"library pull failed: {exc.message} (the index keeps its last state)", err=True)
            failed = True
    pushed = push_outbox(app.store, app.config, force=retry_now)
    click.echo(pushed.line())
    if pushed.queued or pushed.failed:
        click.echo("see `paperfeed outbox` for what waits and why", err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("arxiv_id")
@click.option("--tags", "tags", multiple=True, help="Tag for the item (repeat, or comma-separate).")
@click.option("--collection", help="Collection name or key (created when missing).")
@click.option("--note", help="A note to attach to the item.")
@pass_app
@run_command
def save(app: AppContext, arxiv_id: str, tags: tuple[str, ...], collection: str | None, note: str | None) -> None:
    """Save a paper into your Zotero library (exactly once)."""
    from ..saving.accept import SUGGESTED, save_paper
    
    split = tuple(t.strip() for group in tags for t in group.split(",") if t.strip())
    result = save_paper(app.store, app.config, arxiv_id, tags=split or None,
                        collection=SUGGESTED if collection is None else collection, note=note)
    click.echo(f"{result.arxiv_id}: {result.message}")
    if result.status == "failed":
        sys.exit(1)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Also list papers already pushed.")
@pass_app
@run_command
def outbox(app: AppContext, show_all: bool) -> None:
    """Show the papers waiting to be saved to Zotero, and why they wait."""
    entries = app.store.outbox_entries(include_done=show_all)
    if not entries:
        click.echo("outbox empty: every accepted paper is in Zotero")
        return
    for e in entries:
        if e.status == "done":
            click.echo(f"{e.arxiv_id}  done ({e.outcome}, item {e.item_key}) at {e.pushed_at}")
            continue
        when = f", next attempt {e.next_attempt_at}" if e.next_attempt_at else ""
        why = e.last_error or "not pushed yet"
        click.echo(f"{e.arxiv_id}  {e.status}  attempts {e.attempts}{when}: {why}")


@cli.command()
@click.argument("arxiv_id")
@pass_app
@run_command
def bibtex(app: AppContext, arxiv_id: str) -> None:
    """Print a paper's BibTeX (arXiv's export style, stable citation key)."""
    from ..saving.metadata import find_paper, paper_bibtex
    
    paper = find_paper(app.store, app.config, parse_arxiv_id(arxiv_id).id)
    click.echo(paper_bibtex(app.store, paper), nl=False)
