"""The ``paperfeed`` console script: the engine's commands plus ``serve``."""

from __future__ import annotations

import ipaddress
import logging
import click

from sync.cli import cli, pass_app, run_command
from sync.cli.context import AppContext

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
    import waitress

    from server import create_app
    from sync.schedule import start_scheduler

    config = app.config
    host = host or config["server.host"]
    port = config["server.port"] if port is None else port
    if not _is_loopback(host):
        click.echo(f"warning: binding {host}: the API is reachable from other machines", err=True)
    if not config["server.token"]:
        click.echo("warning: no server token configured; every route but /api/health will refuse "
                   "until you run `paperfeed init`", err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    wsgi = create_app(config, store=app.store)
    pusher = wsgi.extensions["paperfeed"].pusher.start()  # the one outbox pusher: saves never wait on Zotero
    scheduler = None if no_schedule else start_scheduler(config, app.store)
    click.echo(f"paperfeed API on http://{host}:{port}/api/health"
               + ("" if scheduler is not None else " (no schedule)"))
    try:
        waitress.serve(wsgi, host=host, port=port, threads=config["server.threads"], ident="paperfeed",
                       clear_untrusted_proxy_headers=True,
                       max_request_body_size=max(4 * config["server.max_body_bytes"], 1 << 20),
                       _quiet=True)
    finally:
        pusher.stop()
        if scheduler is not None:
            scheduler.shutdown()


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
