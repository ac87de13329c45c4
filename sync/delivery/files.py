"""Report files: ``paperfeed-YYYY-MM-DD.<fmt>`` plus ``latest.<fmt>``, replaced atomically."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from ..errors import DeliveryError
from ..settings import Config


def report_dir(config: Config) -> Path:
    configured = config["reports.dir"]
    return Path(configured).expanduser() if configured else config.data_dir / "reports"


def write_atomic(path: Path, text: str) -> None:
    """A reader (a browser tab, a sync client) never sees a half-written report."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report_files(directory: Path, day: date, rendered: dict[str, str]) -> list[Path]:
    """Write each format; returns the dated paths (the ``latest.*`` copies are not listed)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for fmt, text in rendered.items():
            dated = directory / f"paperfeed-{day.isoformat()}.{fmt}"
            write_atomic(dated, text)
            write_atomic(directory / f"latest.{fmt}", text)
            written.append(dated)
        return written
    except OSError as exc:
        raise DeliveryError(f"cannot write reports to {directory}: {exc.strerror or exc}") from exc
