"""The docs keep up with the code: every setting and every CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from sync.settings import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group: click.Group, prefix: str = "paperfeed") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            names += _commands(command, full)
        else:
            names.append(full)
    return names


def test_docs_configuration_documents_every_setting():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = []
    for setting in SETTINGS:
        section = text.split(f"## [{setting.section}]", 1)
        if len(section) != 2 or f"`{setting.key}`" not in section[1].split("\n## ", 1)[0]:
            missing.append(setting.name)
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_docs_cli_documents_every_command():
    from server.cli import cli  # the console script's group, with `serve`

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [name for name in _commands(cli) if f"## {name}" not in text]
    assert not missing, f"commands missing from docs/cli.md: {missing}"


@pytest.mark.parametrize("page", ["setup.md", "cli.md", "configuration.md", "arxiv.md", "architecture.md"])
def test_docs_pages_exist(page):
    assert (DOCS / page).is_file()
