"""A local arXiv: serves recorded real responses over real HTTP.

Routes: ``/atom/<cats>`` and ``/rss/<cats>`` (announcement feed) and ``/api/query``
(the API). Tests choose what each route answers (``feed`` / ``api`` handlers) and can
queue faults (429/503 with Retry-After, slow answers) that are served first. Every
request is recorded with its arrival time so politeness can be checked.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from sync.settings import Config

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arxiv"
ATOM = "application/atom+xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for timeouts)


@dataclass
class Seen:
    at: float
    path: str
    query: dict[str, list[str]]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_reply(name: str, status: int = 200, **headers: str) -> Reply:
    content_type = RSS if name.startswith("rss_") and "atom" not in name else ATOM
    return Reply(status, fixture(name), {"Content-Type": content_type, **headers})


class LocalArxiv:
    """Start with ``with LocalArxiv() as arxiv:``; ``arxiv.url`` is the base URL."""

    def __init__(self) -> None:
        self.feed: Callable[[str], Reply] = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
        self.api: Callable[[dict[str, list[str]]], Reply] = lambda q: fixture_reply(
            "api_2026-04_id_0000.0000_zero_results.xml")
        self.faults: list[Reply] = []
        # /pdf/<id>v<n>: a small real-looking PDF per paper
        self.pdf: Callable[[str], Reply] = lambda name: Reply(
            200, b"%PDF-1.4\n% paperfeed test PDF of " + name.encode() + b"\n%%EOF\n", {"Content-Type": "application/pdf"})
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self) -> dict:
        """Config values pointing paperfeed at this server, with short test delays."""
        return {
            "arxiv.feed_url": f"{self.url}/atom",
            "arxiv.api_url": f"{self.url}/api/query",
            "arxiv.pdf_url": f"{self.url}/pdf",
            "arxiv.delay_seconds": 0.05,
            "arxiv.timeout_seconds": 2.0,
            "arxiv.max_retries": 2,
        }

    def config(self, base: Config, **overrides: object) -> Config:
        """``base`` pointed at this server; ``overrides`` as in ``Config.with_values`` (``arxiv__x=...``)."""
        values: dict[str, object] = {k.replace(".", "__"): v for k, v in self.settings().items()}
        values.update(overrides)
        return base.with_values(**values)

    def requests_to(self, prefix: str) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(prefix)]

    def __enter__(self) -> "LocalArxiv":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, path: str, query: dict[str, list[str]]) -> Reply:
        with self._lock:
            self.seen.append(Seen(time.monotonic(), path, query))
            if self.faults:
                return self.faults.pop(0)
        if path.startswith("/api/query"):
            return self.api(query)
        if path.startswith("/pdf/"):
            return self.pdf(path.split("/", 2)[2])
        if path.startswith(("/atom/", "/rss/")):
            return self.feed(path.split("/", 2)[2])
        return Reply(404, b"not found", {"Content-Type": "text/plain"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                parts = urlsplit(self.path)
                reply = owner._next_reply(parts.path, parse_qs(parts.query, keep_blank_values=True))
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def first_page_only(name: str) -> Callable[[dict[str, list[str]]], Reply]:
    """An API handler answering ``start=0`` with the fixture and later pages with an empty feed."""

    def handler(query: dict[str, list[str]]) -> Reply:
        if query.get("start", ["0"])[0] in ("", "0"):
            return fixture_reply(name)
        return fixture_reply("api_new_idlist_nonexistent_2025-11.xml")

    return handler
