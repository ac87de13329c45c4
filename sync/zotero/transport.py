"""All retry and rate-limit policy for Zotero, at the HTTP transport under pyzotero.

pyzotero retries reads on 429 with unbounded sleeps, does not retry writes, and
turns a 429 on a write into a JSON error. So pyzotero gets a client whose
transport does it right, for every request it makes:

- 409 (library locked), 429, 503 and other 5xx: retried at most ``max_retries`` times, waiting
  ``Retry-After`` (or ``Backoff``) when given, else a jittered doubling delay;
- connection errors and timeouts: retried the same way;
- ``Backoff`` on any response: the next request waits that long;
- a wait longer than ``max_wait`` is not sat out: :class:`ZoteroGiveUp` is raised
  with ``retry_after`` so the caller defers the work (the outbox keeps it);
- it counts requests (benchmarks and the "unchanged library = 1 request" test).

POSTs are safe to retry: pyzotero sends a ``Zotero-Write-Token`` and our objects
carry deterministic keys with ``version: 0``.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import httpx2

RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})  # 409: the library is locked (a write in progress)


class ZoteroGiveUp(Exception):
    """Retries exhausted, or the server asked for a longer wait than we sit out."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class RetryPolicy:
    max_retries: int = 4
    base_delay: float = 1.0
    max_wait: float = 120.0

    def delay(self, attempt: int) -> float:
        """Jittered doubling delay for ``attempt`` (0-based), capped by ``max_wait``."""
        return min(self.max_wait, self.base_delay * (2 ** attempt)) * random.uniform(0.5, 1.0)


def _header_seconds(response: httpx2.Response, name: str) -> float | None:
    value = response.headers.get(name)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class RetryTransport(httpx2.BaseTransport):
    def __init__(self, policy: RetryPolicy, inner: httpx2.BaseTransport | None = None,
                 sleep=time.sleep):
        self.policy = policy
        self.inner = inner or httpx2.HTTPTransport()
        self.sleep = sleep
        self.requests = 0
        self.uncertain_writes = 0  # writes sent whose answer never came (they may have been applied)
        self._backoff_until = 0.0
        self._lock = threading.Lock()

    def _wait_for_backoff(self) -> None:
        remaining = self._backoff_until - time.monotonic()
        if remaining > self.policy.max_wait:
            raise ZoteroGiveUp(f"Zotero asked us to back off for {remaining:.0f} s", retry_after=remaining)
        if remaining > 0:
            self.sleep(remaining)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        attempt = 0
        while True:
            self._wait_for_backoff()
            with self._lock:
                self.requests += 1
            try:
                response = self.inner.handle_request(request)
            except (httpx2.ConnectError, httpx2.TimeoutException, httpx2.RemoteProtocolError,
                    httpx2.ReadError, httpx2.WriteError) as exc:
                if request.method != "GET" and not isinstance(exc, (httpx2.ConnectError, httpx2.ConnectTimeout)):
                    with self._lock:
                        self.uncertain_writes += 1
                if attempt >= self.policy.max_retries:
                    raise ZoteroGiveUp(f"cannot reach Zotero at {request.url.host}:{request.url.port}: "
                                       f"{type(exc).__name__}: {exc}") from exc
                self.sleep(self.policy.delay(attempt))
                attempt += 1
                continue
            backoff = _header_seconds(response, "Backoff")
            if backoff:
                self._backoff_until = max(self._backoff_until, time.monotonic() + backoff)
                del response.headers["Backoff"]  # ours to honour, not pyzotero's (it would sleep unbounded)
            if response.status_code not in RETRY_STATUSES:
                return response
            response.read()
            retry_after = _header_seconds(response, "Retry-After")
            wait = retry_after if retry_after is not None else self.policy.delay(attempt)
            reason = f"Zotero answered HTTP {response.status_code}" + (
                " (library locked)" if response.status_code == 409 else "")
            response.close()
            if wait > self.policy.max_wait:
                raise ZoteroGiveUp(f"{reason}; Retry-After {wait:.0f} s", status=response.status_code,
                                   retry_after=wait)
            if attempt >= self.policy.max_retries:
                raise ZoteroGiveUp(f"{reason} after {attempt + 1} attempts", status=response.status_code,
                                   retry_after=retry_after)
            self.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self.inner.close()
