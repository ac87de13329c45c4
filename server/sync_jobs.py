"""The background daily cycle started by ``POST /api/sync``: one at a time, progress visible.

The job runs ``sync.cycle.run_cycle`` in a daemon thread; its state is kept in memory
(the store's own cycle lock also keeps a CLI run and a server run from overlapping).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from sync.clock import utc_iso
from sync.cycle import CycleResult
from sync.errors import PaperfeedError

log = logging.getLogger(__name__)

CycleRunner = Callable[..., CycleResult]  # sync.cycle.run_cycle(config, store, *, sample, progress)


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

    def start(self, runner: CycleRunner, *args: Any, **kwargs: Any) -> bool:
        """Start ``runner`` in the background; False when a run is already going."""
        with self._lock:
            if self.state == "running":
                return False
            self.state, self.step = "running", "starting"
            self.started_at, self.finished_at = utc_iso(), None
            self._thread = threading.Thread(target=self._run, args=(runner, args, kwargs),
                                            name="paperfeed-sync", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _progress(self, label: str, done: int, total: int) -> None:
        with self._lock:
            self.step = label[:200]

    def _run(self, runner: CycleRunner, args: tuple, kwargs: dict) -> None:
        try:
            result = runner(*args, progress=self._progress, **kwargs)
        except PaperfeedError as exc:  # e.g. BusyError: a CLI cycle holds the lock
            self._finish("failed", exc.message)
        except Exception as exc:  # noqa: BLE001 - a bug: logged, and visible as the outcome
            log.exception("background sync failed")
            self._finish("failed", f"{type(exc).__name__}: {exc}")
        else:
            self._finish("done" if result.ok else "failed", "; ".join(result.lines())[:2000])

    def _finish(self, state: str, message: str) -> None:
        with self._lock:
            self.state, self.finished_at = state, utc_iso()
            self.last_outcome = {"state": state, "message": message, "finished_at": self.finished_at}

