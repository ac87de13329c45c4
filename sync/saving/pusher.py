"""The background outbox pusher: one thread that pushes the outbox, so no request waits on Zotero.

``paperfeed serve`` runs one. A save records the accept in the outbox, wakes the pusher
(:meth:`OutboxPusher.push_soon`) and waits at most ``zotero.save_wait_seconds`` for the
round that covers it (:meth:`OutboxPusher.wait`): the answer is "saved" when the push
landed in that time, else "queued", and the popup polls the paper until its save record
says "saved". The pusher also wakes by itself when the earliest backoff of a waiting
entry expires (and every ``IDLE_SECONDS`` to catch entries queued by other processes).

At most ``max_waiters`` requests wait at a time, and none waits when the current round has
already run longer than the wait (Zotero is slow: the answer is "queued" at once), so a
hanging Zotero never holds more than a few server threads, and never for long.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from datetime import datetime, timezone

from ..settings import Config
from .push import push_outbox

log = logging.getLogger(__name__)

IDLE_SECONDS = 300.0  # look for work queued by other processes this often
MIN_SLEEP = 0.5


class OutboxPusher:
    instances: "weakref.WeakSet[OutboxPusher]" = weakref.WeakSet()  # for tests: stop what they started

    def __init__(self, store, config: Config, *, max_waiters: int = 2):
        self.store = store
        self.config = config
        self.max_waiters = max(1, max_waiters)
        self._cond = threading.Condition()
        self._requested = 0  # tickets handed out by push_soon
        self._covered = 0  # every ticket <= this has had a round start after it was handed out
        self._round_started: float | None = None  # monotonic start of the running round
        self._waiters = 0
        self._stop = False
        self._thread: threading.Thread | None = None
        self.rounds = 0
        OutboxPusher.instances.add(self)

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> "OutboxPusher":
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._stop = False
                self._thread = threading.Thread(target=self._run, name="paperfeed-outbox-pusher", daemon=True)
                self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # for request threads --------------------------------------------------------------------
    def push_soon(self) -> int:
        """Ask for a round; returns the ticket that :meth:`wait` waits for."""
        self.start()
        with self._cond:
            self._requested += 1
            self._cond.notify_all()
            return self._requested

    def wait(self, ticket: int, timeout: float) -> bool:
        """Wait (at most ``timeout`` s) until a round that started after ``ticket`` finished.

        Returns at once (False) when ``max_waiters`` requests already wait or the running round
        has already taken longer than ``timeout`` (Zotero is slow: no use holding this thread).
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            if self._covered >= ticket:
                return True
            if self._waiters >= self.max_waiters or self._slow(timeout):
                return False
            self._waiters += 1
            try:
                while self._covered < ticket:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._stop:
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._waiters -= 1

    def _slow(self, timeout: float) -> bool:
        return self._round_started is not None and time.monotonic() - self._round_started >= timeout

    # the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        wake_at = 0.0  # push once at start: entries queued before (by this or another process)
        while True:
            with self._cond:
                while not self._stop and self._requested == self._covered:
                    remaining = wake_at - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                if self._stop:
                    return
                ticket = self._requested
                self._round_started = time.monotonic()
            try:
                push_outbox(self.store, self.config)
            except Exception:  # noqa: BLE001 - the thread must outlive any one round
                log.exception("outbox push failed")
            finally:
                with self._cond:
                    self._round_started = None
                    self._covered = max(self._covered, ticket)
                    self.rounds += 1
                    self._cond.notify_all()
            wake_at = time.monotonic() + self._sleep_seconds()

    def _sleep_seconds(self) -> float:
        """Until the earliest backoff of a waiting entry expires (at most IDLE_SECONDS)."""
        try:
            due = self.store.next_outbox_attempt()
        except Exception:  # noqa: BLE001 - a store gone away (tests): idle
            return IDLE_SECONDS
        if not due:
            return IDLE_SECONDS
        when = datetime.fromisoformat(due.replace("Z", "+00:00"))
        return min(IDLE_SECONDS, max(MIN_SLEEP, (when - datetime.now(timezone.utc)).total_seconds()))
