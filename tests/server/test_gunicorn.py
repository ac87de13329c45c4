"""Several gunicorn worker processes against one PostgreSQL lab database, over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sync.lab import hash_token
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome
from sync.store import Store
from sync.store.rankings import RankingRow
from tests.server.conftest import DAY, sample_papers

ROOT = Path(__file__).resolve().parents[2]
TOKENS = {"alice": "alice-gunicorn-token-0123456789", "bob": "bob-gunicorn-token-0123456789ab"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _get(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.mark.slow
@pytest.mark.parametrize("worker_args", [["--worker-class", "sync"], ["--worker-class", "gthread", "--threads", "4"]],
                         ids=["sync", "gthread"])  # sync: what docs/lab.md recommends; gthread also works
def test_gunicorn_workers_serve_each_user_their_own_page(pg_url, tmp_path, worker_args):
    pytest.importorskip("gunicorn")
    store = Store(pg_url)
    papers = sample_papers(6)
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=DAY, source="feed")
    run = store.start_fetch_run(kind="feed", query="cs")
    store.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=DAY, new=6)
    mine = {"alice": papers[:3], "bob": papers[3:]}
    for name, token in TOKENS.items():
        user = store.add_user(name, token_hash=hash_token(token))
        store.user_store(user.id).save_ranking(DAY, [RankingRow(p.arxiv_id, 0.9, name) for p in mine[name]])
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\nurl = "{pg_url}"\n[server]\ntoken = "admin-token-0123456789abcdef"\n'
                      f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    port = _free_port()
    env = {**os.environ, "PAPERFEED_CONFIG": str(config), "PYTHONPATH": str(ROOT)}
    env.pop("PAPERFEED_STORAGE_DATA_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "3", *worker_args, "--bind",
                             f"127.0.0.1:{port}", "server.wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stdout.read().decode(errors="replace"))
                time.sleep(0.2)

        def fetch(n: int) -> tuple[str, int, dict]:
            name = "alice" if n % 2 else "bob"
            status, body = _get(f"{base}/api/papers", TOKENS[name])
            return name, status, body

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(fetch, range(80)))
        for name, status, body in results:
            assert status == 200
            assert [i["paper"]["id"] for i in body["items"]] == [p.arxiv_id for p in mine[name]]
        # a write through one worker is seen by every worker (no stale page cache)
        dismissed = mine["alice"][0].arxiv_id
        request = urllib.request.Request(f"{base}/api/papers/{dismissed}/dismiss", method="POST", data=b"",
                                         headers={"Authorization": f"Bearer {TOKENS['alice']}"})
        assert urllib.request.urlopen(request, timeout=10).status == 200
        with ThreadPoolExecutor(8) as pool:
            after = list(pool.map(lambda _: _get(f"{base}/api/papers?status=dismissed", TOKENS["alice"])[1], range(24)))
        assert all([i["paper"]["id"] for i in body["items"]] == [dismissed] for body in after)
        assert all(_get(f"{base}/api/papers?status=dismissed", TOKENS["bob"])[1]["total"] == 0 for _ in range(6))
        assert len(_children(proc.pid)) == 3  # the workers
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        store.close()
