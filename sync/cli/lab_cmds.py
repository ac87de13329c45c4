"""A lab server's admin commands: ``paperfeed users ...`` and ``paperfeed store copy``."""

from __future__ import annotations

import click

from ..errors import ConfigError, NotFoundError, StorageError
from ..lab import (PER_USER_SETTINGS, check_user_settings, encrypt_zotero, hash_token, new_token)
from ..settings import SETTINGS_BY_NAME, _parse_env
from ..store import Store
from ..store.copy import copy_store
from . import cli
from .context import AppContext, pass_app, run_command


def _lab_store(app: AppContext) -> Store:
    if not app.config["store.url"]:
        raise ConfigError("users exist on a lab server only: set store.url to a PostgreSQL database (docs/lab.md)")
    return app.store


def _show_token(name: str, token: str) -> None:
    click.echo(f"token of {name} (shown once; paste it into the extension's options):")
    click.echo(f"  {token}")


@cli.group()
def users() -> None:
    """A lab server's users (admin; needs store.url = postgresql://...)."""


@users.command("add")
@click.argument("name")
@click.option("--email", default="", help="The user's email (daily report recipient).")
@pass_app
@run_command
def users_add(app: AppContext, name: str, email: str) -> None:
    """Add a user and print their API token (once)."""
    store = _lab_store(app)
    token = new_token()
    user = store.add_user(name, email=email, token_hash=hash_token(token))
    click.echo(f"added user {user.name} (id {user.id}, schema {user.schema})")
    _show_token(user.name, token)


@users.command("list")
@pass_app
@run_command
def users_list(app: AppContext) -> None:
    """List users: name, email, whether Zotero is set up, last cycle and its problem."""
    for user in _lab_store(app).users():
        problem = f"  problem: {user.last_problem}" if user.last_problem else ""
        click.echo(f"{user.name}\t{user.email or '-'}\tzotero={'yes' if user.has_zotero else 'no'}"
                   f"\tlast cycle {user.last_cycle_at or 'never'}{problem}")


@users.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_app
@run_command
def users_remove(app: AppContext, name: str, yes: bool) -> None:
    """Remove a user and all their data (library index, rankings, outbox); shared papers stay."""
    store = _lab_store(app)
    store.user(name)
    if not yes:
        click.confirm(f"remove {name} and all their data?", abort=True)
    store.remove_user(name)
    click.echo(f"removed user {name}")


@users.command("token")
@click.argument("name")
@click.option("--rotate", is_flag=True, required=True, help="Make a new token; the old one stops working.")
@pass_app
@run_command
def users_token(app: AppContext, name: str, rotate: bool) -> None:
    """Replace a user's API token (tokens are stored hashed: a lost one cannot be shown again)."""
    store = _lab_store(app)
    token = new_token()
    store.set_user_token_hash(name, hash_token(token))
    _show_token(name, token)


@users.command("zotero")
@click.argument("name")
@click.option("--library-id", required=True, help="The user's Zotero user id (or group id).")
@click.option("--library-type", type=click.Choice(["user", "group"]), default="user", show_default=True)
@click.option("--api-key", prompt="Zotero API key", hide_input=True, envvar="PAPERFEED_USER_ZOTERO_API_KEY",
              help="Asked for when not given (or $PAPERFEED_USER_ZOTERO_API_KEY); stored encrypted.")
@pass_app
@run_command
def users_zotero(app: AppContext, name: str, library_id: str, library_type: str, api_key: str) -> None:
    """Set a user's Zotero library and API key (encrypted with lab.secret)."""
    store = _lab_store(app)
    store.set_user_zotero_secret(name, encrypt_zotero(app.config, library_id=library_id, api_key=api_key,
                                                      library_type=library_type))
    click.echo(f"Zotero library {library_type}s/{library_id} set for {name} (key stored encrypted)")


@users.command("set")
@click.argument("name")
@click.argument("setting", type=click.Choice(PER_USER_SETTINGS))
@click.argument("value")
@pass_app
@run_command
def users_set(app: AppContext, name: str, setting: str, value: str) -> None:
    """Set one of a user's own settings (lists comma-separated, booleans true/false)."""
    store = _lab_store(app)
    user = store.user(name)
    settings = dict(user.settings)
    settings.update(check_user_settings({setting: _parse_env(SETTINGS_BY_NAME[setting], value)}))
    store.set_user_settings(name, settings)
    click.echo(f"{name}: {setting} = {settings[setting]!r}")


@cli.group()
def store() -> None:
    """The store's database."""


@store.command("copy")
@click.option("--to", "target_url", required=True, help="The lab server's database: postgresql://...")
@click.option("--user", "user_name", required=True, help="The user the store becomes (created when new).")
@click.option("--from", "source_path", type=click.Path(dir_okay=False), default=None,
              help="SQLite store to copy (default: this config's, <data_dir>/paperfeed.sqlite3).")
@pass_app
@run_command
def store_copy(app: AppContext, target_url: str, user_name: str, source_path: str | None) -> None:
    """Copy a single-user SQLite store into a lab server as one user; every table compared."""
    from pathlib import Path

    config = app.config
    path = Path(source_path) if source_path else config.store_path
    if not path.is_file():
        raise StorageError(f"no store at {path}")
    source = Store(path)
    admin = Store(target_url)
    try:
        user = admin.user(user_name)
        token = None
    except NotFoundError:
        token = new_token()
        user = admin.add_user(user_name, email=(config["email.recipients"] or [""])[0], token_hash=hash_token(token))
    settings = {name: config[name] for name in PER_USER_SETTINGS}
    admin.set_user_settings(user.name, {**settings, **user.settings})
    if config.zotero_configured:
        if config["lab.secret"]:
            admin.set_user_zotero_secret(user.name, encrypt_zotero(
                config, library_id=config["zotero.library_id"], api_key=config["zotero.api_key"],
                library_type=config["zotero.library_type"]))
        else:
            click.echo("note: lab.secret not set here, Zotero credentials not copied"
                       " (set them with `paperfeed users zotero`)", err=True)
    target = admin.user_store(user.id)
    report = copy_store(source, target)
    click.echo(f"copied {path} -> {target.location} as user {user.name}")
    click.echo(f"{'table':<20} {'source':>8} -> {'target':<8} {'source sha256':<16} {'target sha256':<16}")
    for table in report:
        click.echo(table.line())
    if token:
        _show_token(user.name, token)
    bad = [t.table for t in report if not t.ok]
    if bad:
        raise StorageError(f"copy differs in {', '.join(bad)}")
    click.echo(f"all {len(report)} tables match")
