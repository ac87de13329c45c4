"""The ``paperfeed`` command line: one small module per group of commands.

Commands stay a few lines: parse options, call the engine, print. Every
:class:`~sync.errors.PaperfeedError` becomes ``error: <message>`` on stderr and
exit status 1 (2 for bad usage, as click does).
"""

from __future__ import annotations

import click

from .. import __version__
from .context import AppContext, pass_app, run_command  # noqa: F401  (re-exported for command modules)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="PAPERFEED_CONFIG",
              help="Config file (default: the user config dir, or $PAPERFEED_CONFIG).")
@click.version_option(__version__, prog_name="paperfeed")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """paperfeed: today's arXiv papers that match your Zotero library."""
    source = ctx.get_parameter_source("config_path")
    ctx.obj = AppContext(config_path, explicit=source is click.core.ParameterSource.COMMANDLINE)


def _register_commands() -> None:
    from . import config_cmds, daily_cmds, fetch_cmds, zotero_cmds, list_cmds, rank_cmds, lab_cmds  # noqa: F401  (each module adds its commands to `cli`)


_register_commands()
