"""``paperfeed init`` and ``paperfeed config show``."""

from __future__ import annotations

import json

import click

from ..config_file import generate_token, write_config
from ..settings import SETTINGS, default_config_path
from . import cli
from .context import AppContext, pass_app, run_command


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_app
@run_command
def init(app: AppContext, force: bool) -> None:
    """Write a commented config file with a fresh server token."""
    path = app.config_path or default_config_path()
    write_config(path, {"server.token": generate_token(), "server.feed_token": generate_token()}, force=force)
    click.echo(f"wrote {path} (mode 600: it holds the server token and the feed token)")
    click.echo("Next:")
    click.echo("  1. set [arxiv] categories and keywords")
    click.echo("  2. set [zotero] library_id, and the API key in PAPERFEED_ZOTERO_API_KEY"
               " (or zotero.api_key); see docs/zotero.md")
    click.echo("  3. run `paperfeed config show` to check, then `paperfeed daily`")
    click.echo("  4. put the server token (`paperfeed config show --reveal-token`) into the extension's options")


@cli.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--reveal-token", is_flag=True, help="Print only the server token, unmasked (for the extension).")
@pass_app
@run_command
def config_show(app: AppContext, as_json: bool, reveal_token: bool) -> None:
    """Print the effective configuration, secrets masked."""
    cfg = app.config
    if reveal_token:
        click.echo(cfg["server.token"])
        return
    values = cfg.masked()
    values["storage.data_dir"] = str(cfg.data_dir)
    if as_json:
        click.echo(json.dumps({"config_file": str(cfg.path), "settings": values}, indent=2))
        return
    click.echo(f"# config file: {cfg.path}" + ("" if cfg.file_found else " (not found: defaults in use)"))
    for setting in SETTINGS:
        click.echo(f"{setting.name} = {json.dumps(values[setting.name], ensure_ascii=False)}")
