"""``paperfeed rank``: rank a stored day, or rank files (``--library --candidates --out``)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from ..errors import InvalidInputError
from . import cli
from .context import AppContext, pass_app, run_command


@cli.command("rank")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Announcement date to rank (default: the newest stored one).")
@click.option("--library", "library_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File mode: library as JSON Lines, BibTeX (.bib) or Zotero/CSL JSON (.json).")
@click.option("--candidates", "candidates_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File mode: candidate papers as JSON Lines (fields of the arXiv dev data set).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File mode: write {id, score, reason, tags} JSON Lines here, best first.")
@click.option("--background", "background_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File mode: papers announced before the candidates' day (JSON Lines) to contrast the"
                   " library with (default: the candidates).")
@click.option("--cache-dir", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="File mode: keep text embeddings here and reuse them in later calls.")
@pass_app
@run_command
def rank(app: AppContext, day, library_file: Path | None, candidates_file: Path | None,
         out_file: Path | None, background_file: Path | None, cache_dir: Path | None) -> None:
    """Rank a day's papers against your library and store the result (or rank files)."""
    now = datetime.now(timezone.utc)
    if library_file or candidates_file or out_file or background_file or cache_dir:
        if not (library_file and candidates_file and out_file):
            raise InvalidInputError("file mode needs all of --library, --candidates and --out")
        from ..rank_stage import rank_files

        click.echo(rank_files(app.config, library_file, candidates_file, out_file, now=now,
                              background_file=background_file, cache_dir=cache_dir))
        return
    from ..rank_stage import rank_day

    summary = rank_day(app.store, app.config, day.date() if day else None, now=now)
    click.echo(summary.line())
