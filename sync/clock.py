"""How paperfeed writes a moment: UTC, whole seconds, a ``Z`` suffix (store rows, API, Atom)."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_iso(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as ``2025-09-24T20:30:00Z``."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
