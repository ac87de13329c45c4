"""The ``paperfeed`` console script: the engine's commands plus ``serve``."""

from __future__ import annotations

import ipaddress
import logging
import os
import click

from sync.cli import cli, pass_app, run_command
from sync.cli.context import AppContext
from sync.cli.lab_cmds import users

log = logging.getLogger(__name__)


@cli.command()
@click.option("--host", default=None, help="Address to bind (default: setting server.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port (default: setting server.port, 8765).")
@click.option("--no-schedule", is_flag=True, help="Do not run the daily cycle on its schedule in this process.")
@pass_app
@run_command
def serve(app: AppContext, host: str | None, port: int | None, no_schedule: bool) -> None:
    """Run the JSON API for the browser extension (waitress, loopback by default)."""
    from server import create_app
    from server.http_server import make_server
    from sync.schedule import start_scheduler

    config = app.config
    host = host or config["server.host"]
    port = config["server.port"] if port is None else port
    if not _is_loopback(host):
        click.echo(f"warning: binding {host}: the API is reachable from other machines; it answers only to"
                   " loopback names, the bind address and server.allowed_hosts / server.public_url", err=True)
    if not config["server.token"]:
        click.echo("warning: no server token configured; every route but /api/health will refuse "
                   "until you run `paperfeed init`", err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = config.with_values(server__host=host, **({"server__port": port} if port else {}))  # Host allowlist
    wsgi = create_app(config, store=app.store)
    pusher = wsgi.extensions["paperfeed"].pusher.start()  # the one outbox pusher: saves never wait on Zotero
    scheduler = None if no_schedule else start_scheduler(config, app.store)
    click.echo(f"paperfeed API on http://{host}:{port}/api/health"
               + ("" if scheduler is not None else " (no schedule)"))
    try:
        make_server(wsgi, host=host, port=port, threads=config["server.threads"], ident="paperfeed",
                    clear_untrusted_proxy_headers=True,
                    max_request_body_size=max(4 * config["server.max_body_bytes"], 1 << 20)).run()
    finally:
        pusher.stop()
        if scheduler is not None:
            scheduler.shutdown()


@cli.command("feed-token")
@click.option("--rotate", is_flag=True, help="Make a new feed token (the old feed URL stops working).")
@pass_app
@run_command
def feed_token(app: AppContext, rotate: bool) -> None:
    """Print the Atom feed URL with its read-only token (for feed readers); --rotate makes a new token."""
    from server.hosts import public_url
    from sync.config_file import generate_token, set_in_config_file
    from sync.errors import ConfigError
    from sync.settings import SETTINGS_BY_NAME, default_config_path

    config = app.config
    if rotate:
        env_var = SETTINGS_BY_NAME["server.feed_token"].env_var
        if os.environ.get(env_var):
            raise ConfigError(f"the feed token comes from {env_var}: change it there")
        token = generate_token()
        set_in_config_file(config.path or default_config_path(), "server.feed_token", token)
        click.echo("new feed token written (a running `paperfeed serve` takes it at once; the old URL now"
                   " answers 401); give feed readers this URL:", err=True)
    else:
        token = config["server.feed_token"]
        if not token:
            raise ConfigError("no feed token configured: create one with `paperfeed feed-token --rotate`")
    click.echo(f"{public_url(config)}/feed.atom?token={token}")


@users.command("feed-token")
@click.argument("name")
@pass_app
@run_command
def users_feed_token(app: AppContext, name: str) -> None:
    """Print a lab user's Atom feed URL with their read-only feed token (rotating their API token
    with `paperfeed users token NAME --rotate` revokes it)."""
    from server.hosts import public_url
    from sync.errors import ConfigError
    from sync.lab import user_feed_token

    if not app.config["store.url"]:
        raise ConfigError("users exist on a lab server only: set store.url to a PostgreSQL database (docs/lab.md)")
    user = app.store.user(name)
    token_hash = app.store.user_token_hash(user.id)
    if not token_hash:
        raise ConfigError(f"{name} has no API token yet: make one with `paperfeed users token {name} --rotate`")
    click.echo(f"{public_url(app.config)}/feed.atom?token={user_feed_token(app.config, user.id, token_hash)}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> None:
    cli(prog_name="paperfeed")


if __name__ == "__main__":
    main()
