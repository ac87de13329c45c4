"""Progress bars for long CLI work, one per stage label, on stderr only when it is a terminal."""

from __future__ import annotations

import sys
from typing import Any

import click


class ProgressBars:
    def __init__(self) -> None:
        self._bars: dict[str, Any] = {}
        self._done: dict[str, int] = {}
        self.enabled = sys.stderr.isatty()

    def update(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        bar = self._bars.get(label)
        if bar is None:
            bar = click.progressbar(length=total, label=label.ljust(9), file=sys.stderr)
            bar.__enter__()
            self._bars[label] = bar
            self._done[label] = 0
        bar.update(done - self._done[label])
        self._done[label] = done

    def __enter__(self) -> "ProgressBars":
        return self

    def __exit__(self, *exc: object) -> None:
        for bar in self._bars.values():
            bar.__exit__(None, None, None)
