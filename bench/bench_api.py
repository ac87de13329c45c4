"""API load benchmark: ``GET /api/papers`` with 500 stored ranked papers. Run from the repository root:

    .venv/bin/python bench/bench_api.py [--clients 20] [--requests 100]

The server is ``paperfeed serve`` (waitress) in its own process on loopback; this process runs the
clients (one thread and one keep-alive HTTP session each). Reported: p50/p99 latency and requests/s
of ``GET /api/papers`` (default page of 50 matches, about 100 KB of JSON) and, as the baseline in the
same run, ``GET /api/health``. Papers come from the dev data set (falls back to the bundled sample).

Until the ranking part's store (``Store.ranked_papers``) is in the tree, the server process is the
same app and waitress settings as ``paperfeed serve`` over an in-memory ranking stand-in
(``--stand-in``, said in the output), so the number then excludes the ranking SQL.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEV_DATA = Path("/work/shared/data/arxiv-papers-2025-dev.jsonl.gz")
TOKEN = "bench-token-0123456789abcdef"
DAY = date(2025, 9, 24)
N_PAPERS = 500


def load_papers(n: int):
    from sync.sample import paper_from_record, sample_announcement

    if DEV_DATA.is_file():
        papers = []
        with gzip.open(DEV_DATA, "rt", encoding="utf-8") as lines:
            for line in lines:
                papers.append(paper_from_record(json.loads(line)))
                if len(papers) == n:
                    return papers, "dev data set"
    print(f"note: {DEV_DATA} absent; using the bundled sample papers", file=sys.stderr)
    return [e.paper for e in sample_announcement().entries][:n], "bundled sample"


def seed(store, papers):
    """Store the papers as one announcement and a finished fetch run; return RankedPapers in rank order."""
    from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, RankedPaper

    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=DAY, source="sample")
    run = store.start_fetch_run(kind="sample", query="bench")
    store.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=DAY, new=len(papers))
    return [RankedPaper(paper=store.get_paper(p.arxiv_id), day=DAY, score=1.0 - i / 1000, reason="bench",
                        rank=i + 1) for i, p in enumerate(papers)]


def serve_stand_in(config_path: str, port: int) -> None:
    """The server process of --stand-in: the serve command's app and waitress settings."""
    import waitress

    from server import create_app
    from sync.settings import load_config
    from tests.server.conftest import RankingStandIn

    config = load_config(Path(config_path))
    store = RankingStandIn(config.store_path)
    store.seed_ranked(seed(store, load_papers(N_PAPERS)[0]))
    waitress.serve(create_app(config, store=store), host="127.0.0.1", port=port,
                   threads=config["server.threads"], ident="paperfeed", _quiet=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if requests.get(url + "/api/health", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def load(url: str, path: str, clients: int, per_client: int) -> dict:
    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        session.get(url + path, timeout=10)  # warm the connection
        mine = []
        barrier.wait()
        for _ in range(per_client):
            start = time.perf_counter()
            response = session.get(url + path, timeout=10)
            mine.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[0]}")
    ordered = sorted(latencies)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1000, "rps": len(ordered) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--stand-in", action="store_true", help="force the in-memory ranking stand-in")
    parser.add_argument("--serve-stand-in", nargs=2, metavar=("CONFIG", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stand_in:
        serve_stand_in(args.serve_stand_in[0], int(args.serve_stand_in[1]))
        return

    from sync.store import Store

    real = hasattr(Store, "ranked_papers") and hasattr(Store, "seed_ranked") and not args.stand_in
    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.toml"
        config_path.write_text(f'[server]\ntoken = "{TOKEN}"\n[storage]\ndata_dir = "{tmp}/data"\n', encoding="utf-8")
        _, source = load_papers(N_PAPERS)
        port = free_port()
        env = {**os.environ, "PAPERFEED_CONFIG": str(config_path), "PYTHONPATH": str(ROOT)}
        if real:
            store = Store(Path(tmp) / "data" / "paperfeed.sqlite3")
            store.seed_ranked(seed(store, load_papers(N_PAPERS)[0]))
            store.close()
            cmd = [str(ROOT / ".venv/bin/paperfeed"), "serve", "--port", str(port), "--no-schedule"]
        else:
            cmd = [sys.executable, __file__, "--serve-stand-in", str(config_path), str(port)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, proc)
            total = __import__("requests").get(url + "/api/papers?limit=1", headers={
                "Authorization": f"Bearer {TOKEN}"}, timeout=5).json()["total"]
            assert total == N_PAPERS, total
            health = load(url, "/api/health", args.clients, args.requests)
            papers = load(url, "/api/papers", args.clients, args.requests)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"server: {'paperfeed serve' if real else 'same app + waitress over the ranking stand-in'}, "
          f"{N_PAPERS} ranked papers ({source}); {args.clients} clients x {args.requests} requests, loopback")
    for name, r in (("GET /api/health (baseline)", health), ("GET /api/papers (50 per page)", papers)):
        print(f"{name:32s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  {r['rps']:7.0f} req/s  (n={r['n']})")
    print(f"papers/health: p99 x{papers['p99_ms'] / health['p99_ms']:.1f}, throughput x{papers['rps'] / health['rps']:.2f}")
    print(f"target p99 < 50 ms: {'met' if papers['p99_ms'] < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
