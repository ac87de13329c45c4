"""API load benchmark: ``GET /api/papers`` with 500 stored ranked papers. Run from the repository root:

    .venv/bin/python bench/bench_api.py [--clients 20] [--requests 100]

The server is ``paperfeed serve`` (waitress) in its own process on loopback; this process runs the
clients (one thread and one keep-alive HTTP session each). Reported: p50/p99 latency and requests/s
of ``GET /api/papers`` (default page of 50 matches, about 100 KB of JSON) and, as the baseline in the
same run, ``GET /api/health``. Papers come from the dev data set (falls back to the bundled sample)
and are stored and ranked through the store's own API (``upsert_entries``, ``save_ranking``), with a
synced library holding some of them, so the request does the real SQL. The load average is printed
before and after: the machine has 2 cores shared with other jobs.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
sys.path.insert(0, str(ROOT / "bench"))

from dev_data import add_data_option, load_records, require  # noqa: E402
from wrk import load_average, run_wrk  # noqa: E402

TOKEN = "bench-token-0123456789abcdef"
DAY = date(2025, 9, 24)
N_PAPERS = 500


def load_papers(n: int, data: Path):
    from sync.sample import paper_from_record

    return [paper_from_record(r) for r in load_records(data, limit=n)], "dev data set"


def seed(store, papers) -> None:
    """One announcement, its fetch run, its ranking (every 10th paper suggests a collection) and a
    synced library holding every 7th paper, all through the store API."""
    from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, LibraryCollection, LibraryItem
    from sync.store.rankings import RankingRow

    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=DAY, source="sample")
    run = store.start_fetch_run(kind="sample", query="bench")
    store.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=DAY, new=len(papers))
    store.save_ranking(DAY, [RankingRow(p.arxiv_id, score=1.0 - i / 1000, reason="close to \"bench\" in your library",
                                        tags=("ml", "bench"), collection="COLL0001" if i % 10 == 0 else None)
                             for i, p in enumerate(papers)])
    store.reset_library_index("users/1")
    store.begin_library_pull(target_version=1, item_keys=[], collection_keys=[])
    store.apply_library_page(
        items=[LibraryItem(key=f"ITEM{i:04d}", title=p.title, arxiv_id=p.arxiv_id, tags=("ml",))
               for i, p in enumerate(papers) if i % 7 == 0],
        collections=[LibraryCollection(key="COLL0001", name="Reading group")])
    store.finish_library_pull(version=1, result="ok: bench library")


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


def profile(n: int, data: Path) -> None:
    """cProfile of ``n`` ``GET /api/papers`` through the Flask test client (no HTTP), top 25 by own+callees."""
    import cProfile
    import pstats

    from server import create_app
    from sync.settings import Config
    from sync.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        config = Config({"storage.data_dir": tmp, "server.token": TOKEN})
        store = Store(config.store_path)
        seed(store, load_papers(N_PAPERS, data)[0])
        client = create_app(config, store=store).test_client()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/api/papers", headers=headers).status_code == 200
        began = time.perf_counter()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get("/api/papers", headers=headers)
        profiler.disable()
        print(f"{n} x GET /api/papers in-process: {(time.perf_counter() - began) / n * 1000:.2f} ms each (profiled)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        store.close()


# Each request asks for another page offset, so nearly every one misses the server's page cache
# (128 entries for 451 distinct pages): the cost of building a page, not of replaying it.
UNCACHED_LUA = """
math.randomseed(7)
request = function() return wrk.format(nil, "/api/papers?offset=" .. math.random(0, 450)) end
"""


def wrk_load(url: str, path: str, clients: int, seconds: int, *, script: str | None = None) -> dict:
    """The same load from wrk: a client that is not itself GIL-bound."""
    return run_wrk(url + path, clients=clients, seconds=seconds, timeout="5s",
                   headers=[f"Authorization: Bearer {TOKEN}"], script=script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--threads", type=int, default=6, help="server.threads of the server (default 6)")
    parser.add_argument("--profile", type=int, metavar="N", help="instead: cProfile N requests in-process")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (apt install wrk; default when present) or Python threads")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    add_data_option(parser)
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, require(args.data))
        return

    from sync.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.toml"
        config_path.write_text(f'[server]\ntoken = "{TOKEN}"\nthreads = {args.threads}\n[storage]\ndata_dir = "{tmp}/data"\n', encoding="utf-8")
        papers, source = load_papers(N_PAPERS, require(args.data))
        store = Store(Path(tmp) / "data" / "paperfeed.sqlite3")
        seed(store, papers)
        store.close()
        port = free_port()
        env = {**os.environ, "PAPERFEED_CONFIG": str(config_path)}
        cmd = [str(ROOT / ".venv/bin/paperfeed"), "serve", "--port", str(port), "--no-schedule"]
        server_log = (Path(tmp) / "server.log").open("wb")  # not a pipe: a full pipe would stall the server
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=server_log)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, proc)
            total = __import__("requests").get(url + "/api/papers?limit=1", headers={
                "Authorization": f"Bearer {TOKEN}"}, timeout=5).json()["total"]
            assert total == N_PAPERS, total
            before = load_average()
            uncached = None
            if args.client == "wrk":
                health = wrk_load(url, "/api/health", args.clients, args.seconds)
                papers_result = wrk_load(url, "/api/papers", args.clients, args.seconds)
                uncached = wrk_load(url, "/api/papers", args.clients, args.seconds, script=UNCACHED_LUA)
            else:
                health = load(url, "/api/health", args.clients, args.requests)
                papers_result = load(url, "/api/papers", args.clients, args.requests)
            after = load_average()
        finally:
            proc.terminate()
            proc.wait(10)
            server_log.close()
            queue_warnings = (Path(tmp) / "server.log").read_text(errors="replace").count("Task queue depth")
    print(f"server: paperfeed serve (waitress, {args.threads} threads, {os.cpu_count()} cores), {N_PAPERS} ranked papers ({source}); "
          + (f"wrk, {args.clients} connections for {args.seconds} s" if args.client == "wrk" else
             f"Python threads, {args.clients} clients x {args.requests} requests") + ", loopback")
    print(f"load average (1/5/15 min) before {before}, after {after}; "
          f"waitress 'task queue depth' warnings: {queue_warnings}")
    rows = [("GET /api/health (baseline)", health), ("GET /api/papers (50 per page)", papers_result)]
    if uncached:
        rows.append(("GET /api/papers, random offsets", uncached))
    for name, r in rows:
        print(f"{name:32s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  {r['rps']:7.0f} req/s  (n={r['n']})")
    print(f"papers/health: p99 x{papers_result['p99_ms'] / health['p99_ms']:.1f}, "
          f"throughput x{papers_result['rps'] / health['rps']:.2f}")
    print(f"target p99 < 50 ms: {'met' if papers_result['p99_ms'] < 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
