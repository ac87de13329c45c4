"""One daily cycle at a time across processes (cron, ``paperfeed serve``, a manual run).

The lock is a row in the store (see ``store/cycle.py``), taken atomically. A lock
is stale, and taken over, when it has expired or when its owner is a process of
this machine that no longer exists (a cycle killed by OOM or a reboot must not
block the next one for hours).
"""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

from .errors import BusyError
from .store.cycle import LockHolder

CYCLE_LOCK = "daily_cycle"
DEFAULT_TTL_SECONDS = 3 * 3600.0  # longer than any sane cycle (fetch retries + ranking)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def holder_is_dead(holder: LockHolder, *, host: str | None = None) -> bool:
    """True when the holder is a process of this host that has exited."""
    return holder.owner_host == (host or socket.gethostname()) and not _pid_alive(holder.owner_pid)


@contextmanager
def cycle_lock(store, *, name: str = CYCLE_LOCK, ttl_seconds: float = DEFAULT_TTL_SECONDS,
               now: datetime | None = None) -> Iterator[str]:
    """Hold the lock for the ``with`` body; raise :class:`BusyError` when another live process has it."""
    token = uuid.uuid4().hex
    pid, host = os.getpid(), socket.gethostname()
    moment = now or datetime.now(timezone.utc)
    holder = store.try_acquire_lock(name, token=token, pid=pid, host=host, ttl_seconds=ttl_seconds, now=moment)
    if holder is not None and holder_is_dead(holder, host=host):
        store.release_lock(name, token=holder.token)  # only that dead holder's row, atomically
        holder = store.try_acquire_lock(name, token=token, pid=pid, host=host, ttl_seconds=ttl_seconds,
                                        now=moment)
    if holder is not None:
        raise BusyError(
            f"another daily cycle is running (pid {holder.owner_pid} on {holder.owner_host}, since "
            f"{holder.acquired_at:%Y-%m-%d %H:%M} UTC); try again when it has finished",
            details={"pid": holder.owner_pid, "host": holder.owner_host})
    try:
        yield token
    finally:
        store.release_lock(name, token=token)
