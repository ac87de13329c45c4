"""The background daily cycle started by ``POST /api/sync``: one at a time, progress visible.

The job runs ``sync.cycle.run_cycle`` in a daemon thread; its state is kept in memory
(the store's own cycle lock also keeps a CLI run and a server run from overlapping).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

log = logging.getLogger(__name__)

Runner = Callable[..., Any]  # run_cycle(config, store, *, sample, progress)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class SyncJob:
    """State of the current or last background run (thread-safe through ``_lock``)."""

    state: str = "idle"  # idle | running | done | failed
    step: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    last_outcome: dict | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"state": self.state, "step": self.step, "started_at": self.started_at,
                    "finished_at": self.finished_at, "last_outcome": self.last_outcome}

    def start(self, runner: Runner, *args: Any, **kwargs: Any) -> bool:
        """Start ``runner`` in the background; False when a run is already going."""
        with self._lock:
            if self.state == "running":
                return False
            self.state, self.step = "running", "starting"
            self.started_at, self.finished_at = _now(), None
            self._thread = threading.Thread(target=self._run, args=(runner, args, kwargs),
                                            name="paperfeed-sync", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _progress(self, *args: Any, **kwargs: Any) -> None:
        step = args[0] if args else kwargs.get("step") or kwargs.get("message")
        if step is not None:
            with self._lock:
                self.step = str(step)[:200]

    def _run(self, runner: Runner, args: tuple, kwargs: dict) -> None:
        try:
            result = runner(*args, progress=self._progress, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure becomes the visible outcome
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            if not hasattr(exc, "code"):
                log.exception("background sync failed")
            self._finish("failed", message)
        else:
            self._finish(_result_state(result), _result_message(result))

    def _finish(self, state: str, message: str) -> None:
        with self._lock:
            self.state, self.finished_at = state, _now()
            self.last_outcome = {"state": state, "message": message, "finished_at": self.finished_at}


def _result_state(result: Any) -> str:
    ok = getattr(result, "ok", None)
    if ok is False:
        return "failed"
    status = str(getattr(result, "status", "") or "").lower()
    return "failed" if status in ("failed", "error") else "done"


def _result_message(result: Any) -> str:
    lines = getattr(result, "lines", None)
    if callable(lines):
        return "; ".join(lines())[:2000]
    for name in ("line", "summary_line", "summary"):
        value = getattr(result, name, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    return "" if result is None else str(result)[:2000]
