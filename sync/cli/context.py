"""Shared state of one CLI invocation: the config and the store, opened lazily."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ..errors import ConfigError, PaperfeedError
from ..settings import Config, config_file_problems, load_config
from ..store import Store


class AppContext:
    def __init__(self, config_path: str | None, *, explicit: bool = False):
        self.config_path = Path(config_path).expanduser() if config_path else None
        self.explicit = explicit  # named with --config: a missing file is a mistake, not "defaults"
        self._config: Config | None = None
        self._store: Store | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            if self.explicit and self.config_path and not self.config_path.is_file():
                raise ConfigError(f"config file {self.config_path} not found (create it with "
                                  f"`paperfeed --config {self.config_path} init`)")
            self._config = load_config(self.config_path)
            for problem in config_file_problems(self._config):
                click.echo(f"warning: {problem}", err=True)
        return self._config

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.config.store_target)
        return self._store


pass_app = click.make_pass_decorator(AppContext)


def run_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn our errors into a one-line message and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PaperfeedError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper
