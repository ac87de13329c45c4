"""Writing the commented config file that ``paperfeed init`` creates."""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .settings import SETTINGS, Setting


def generate_token() -> str:
    return secrets.token_urlsafe(32)


def render_config(overrides: dict[str, Any] | None = None) -> str:
    """A TOML file listing every setting with its help; unset values are commented out."""
    overrides = overrides or {}
    lines = [
        "# paperfeed configuration. Every setting is listed with its default.",
        "# Secrets may instead come from the environment (PAPERFEED_ZOTERO_API_KEY, PAPERFEED_SERVER_TOKEN).",
        "# Docs: docs/configuration.md",
    ]
    section = None
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines += ["", f"[{section}]"]
        lines.append(f"# {setting.help}  (env: {setting.env_var})")
        if setting.name in overrides:
            lines.append(f"{setting.key} = {_toml_value(overrides[setting.name])}")
        else:
            lines.append(f"# {setting.key} = {_toml_value(setting.default)}")
    return "\n".join(lines) + "\n"


def write_config(path: Path, overrides: dict[str, Any], *, force: bool = False) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the server token
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(render_config(overrides))
    os.replace(tmp, path)


def set_in_config_file(path: Path, name: str, value: Any) -> None:
    """Set one setting in an existing config file, keeping every other line (and its mode 600)."""
    section, key = name.split(".", 1)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found (create it with `paperfeed init`)") from None
    assignment = f"{key} = {_toml_value(value)}"
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
    if start is None:
        lines += ["", f"[{section}]", assignment]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        pattern = re.compile(rf"^\s*#?\s*{re.escape(key)}\s*=")
        found = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, assignment)
        else:
            lines[found] = assignment
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds secrets
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def describe(setting: Setting) -> str:
    return f"{setting.name} ({setting.type.__name__}, default {_toml_value(setting.default)}): {setting.help}"
