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


ROOT = DOCS.parent


def _architecture_paths() -> set[str]:
    import re

    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    found = re.findall(r"\b((?:sync|server|extension|bench|tests)/[\w./-]*\w/?)", text)
    return {p for p in found if "NNNN" not in p}  # a pattern, not a path


def test_docs_architecture_names_only_paths_that_exist():
    missing = sorted(p for p in _architecture_paths() if not (ROOT / p.rstrip("/")).exists())
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_docs_architecture_names_every_engine_module():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    engine = ROOT / "sync"
    unnamed = []
    for path in sorted(engine.iterdir()):
        if path.name.startswith(("_", ".")) or path.name == "sample_data":
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            shown = f"sync/{path.name}" + ("/" if path.is_dir() else "")
            if shown not in text:
                unnamed.append(shown)
    assert not unnamed, f"sync/ parts missing from docs/architecture.md: {unnamed}"


def test_no_absolute_machine_paths_in_the_repository():
    import re
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    # built from pieces so this file does not match itself
    pattern = re.compile("/" + "work/|/" + "home/[a-z]|/" + "root/|/" + "Users/[A-Za-z]")
    hits = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".gz", ".png", ".zip", ".sqlite3", ".woff2"} or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        hits += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert not hits, f"absolute machine paths: {hits[:20]}"
