"""A requests session that is polite by construction.

- one request at a time per host, at least ``min_interval`` seconds apart (shared by
  every session in the process, so several threads cannot gang up on arXiv);
- a timeout on every request;
- 429 and 5xx answers and network errors are retried a bounded number of times, waiting
  ``Retry-After`` when the server sends it (seconds or an HTTP date) and an exponential,
  jittered backoff otherwise; a ``Retry-After`` longer than ``max_wait`` gives up at once
  instead of blocking for hours;
- when the retries are spent, ``error_cls`` is raised with what happened, so the caller can
  say "arXiv unreachable" instead of showing a traceback.

We wrote this loop instead of mounting urllib3's ``Retry``: that one retries the first
failure immediately (breaking the minimum interval) and sleeps for any ``Retry-After``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

import requests

from .. import __version__
from ..errors import SourceError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"paperfeed/{__version__} (+https://github.com/paperfeed/paperfeed)"


class _HostThrottle:
    """Serialises requests to one host and spaces them out."""

    _registry: dict[str, "_HostThrottle"] = {}
    _registry_lock = threading.Lock()

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_finished = 0.0

    @classmethod
    def for_host(cls, host: str) -> "_HostThrottle":
        with cls._registry_lock:
            return cls._registry.setdefault(host, cls())


def retry_after_seconds(response: requests.Response | None, now: datetime | None = None) -> float | None:
    """The server's ``Retry-After`` in seconds, or None when absent or unreadable."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class PoliteSession(requests.Session):
    def __init__(self, *, min_interval: float, timeout: float, max_retries: int,
                 error_cls: type[SourceError], service: str, max_wait: float = 120.0,
                 base_backoff: float | None = None, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None):
        super().__init__()
        self.min_interval = min_interval
        self.timeout = timeout
        self.max_retries = max_retries
        self.error_cls = error_cls
        self.service = service
        self.max_wait = max_wait
        self.base_backoff = base_backoff if base_backoff is not None else max(min_interval, 1.0)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.headers["User-Agent"] = USER_AGENT
        self.request_count = 0

    def request(self, method: str | bytes, url: str | bytes, *args, **kwargs) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        throttle = _HostThrottle.for_host(urlsplit(str(url)).netloc)
        problem = ""
        for attempt in range(self.max_retries + 1):
            response, problem = self._one_request(throttle, method, url, *args, **kwargs)
            if response is not None and response.status_code not in RETRY_STATUSES:
                return response
            if attempt == self.max_retries:
                break
            wait = self._wait_before_retry(response, attempt)
            if wait is None:
                problem += f"; Retry-After {response.headers.get('Retry-After')!r} exceeds {self.max_wait:.0f} s"
                break
            log.info("%s: %s; retry %d/%d in %.1f s", self.service, problem, attempt + 1, self.max_retries, wait)
            self._sleep(wait)
        raise self.error_cls(
            f"{self.service} unreachable after {self.request_attempts(attempt)}: {problem}",
            details={"url": _redact(str(url)), "problem": problem},
        )

    @staticmethod
    def request_attempts(last_attempt: int) -> str:
        n = last_attempt + 1
        return f"{n} attempt{'s' if n != 1 else ''}"

    def _one_request(self, throttle: _HostThrottle, method, url, *args, **kwargs):
        with throttle.lock:
            gap = throttle.last_finished + self.min_interval - time.monotonic()
            if gap > 0:
                self._sleep(gap)
            try:
                self.request_count += 1
                response = super().request(method, url, *args, **kwargs)
            except requests.Timeout:
                return None, f"timed out after {self.timeout:g} s"
            except requests.ConnectionError as exc:
                return None, f"connection failed ({type(exc).__name__})"
            finally:
                throttle.last_finished = time.monotonic()
        if response.status_code in RETRY_STATUSES:
            return response, f"HTTP {response.status_code}"
        return response, ""

    def _wait_before_retry(self, response: requests.Response | None, attempt: int) -> float | None:
        advised = retry_after_seconds(response)
        if advised is not None:
            if advised > self.max_wait:
                return None
            return max(advised, self.min_interval)
        backoff = self.base_backoff * (2 ** attempt)
        return min(self.max_wait, backoff * (1 + self._rng.random() * 0.5))


def _redact(url: str) -> str:
    """Drop the query string of URLs that go into messages (it may carry keys)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
