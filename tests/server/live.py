"""The API over real sockets: the app in waitress (the server ``paperfeed serve`` runs) in a thread,
or ``paperfeed serve`` itself as a subprocess, for tests of what only a real HTTP server shows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

from server.http_server import make_server

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def served(app, *, max_request_body_size: int = 1 << 20) -> Iterator[str]:
    """``app`` served by waitress on a free loopback port; yields the base URL."""
    server = make_server(app, host="127.0.0.1", port=0, threads=2, ident="paperfeed",
                         clear_untrusted_proxy_headers=True, max_request_body_size=max_request_body_size)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:  # a socket closed under select() while stopping (the fallback below)
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stopping.set()
        # Workers first (none may touch a socket or the trigger afterwards), then every socket, closed
        # in the server's loop thread, which ends when nothing is left to watch.
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)

        def close_all() -> None:
            for dispatcher in list(server._map.values()):
                try:
                    dispatcher.close()
                except OSError:  # already closed
                    pass

        try:
            server.trigger.pull_trigger(close_all)
        except OSError:
            # Seen once in CI (EBADF): the trigger's pipe was gone, so the loop cannot be woken. Close
            # from here instead; the loop's next select() fails or finds nothing, and it ends.
            close_all()
        thread.join(10)


def raw_request(url: str, data: bytes, *, read_timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send ``data`` as is on a new connection to ``url``'s host; parse the one response."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the whole body is sent
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def paperfeed_serve(config_path: Path, *, port: int, host: str = "127.0.0.1",
                    extra_env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """``paperfeed serve`` (``python -m server.cli serve``) as a user runs it; yields (URL, log path)."""
    env = {**os.environ, "PAPERFEED_CONFIG": str(config_path), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", **(extra_env or {})}
    for name in ("PAPERFEED_ZOTERO_API_KEY", "PAPERFEED_SERVER_TOKEN", "PAPERFEED_ZOTERO_LIBRARY_ID",
                 "PAPERFEED_STORAGE_DATA_DIR"):
        if name not in (extra_env or {}):
            env.pop(name, None)
    log_path = config_path.parent / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--host", host, "--port",
                                    str(port), "--no-schedule"], cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"paperfeed serve exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                requests.get(f"{url}/api/health", timeout=2)
                break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"paperfeed serve did not answer within 30 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url, log_path
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
