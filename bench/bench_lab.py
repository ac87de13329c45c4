"""Lab server benchmark: many simulated users on one PostgreSQL. Run from the repository root:

    eval "$(tests/support/pg_cluster.sh start /tmp/pfbench)"      # or any PostgreSQL you may use
    .venv/bin/python bench/bench_lab.py --url "$PAPERFEED_TEST_POSTGRES_URL" [--users 200]

1. Rank stage. Every paper of the dev data set is stored as its day's announcement (shared). Users
   are simulated as in bench/users.py (one or two interests, a library of 50-300 earlier papers of
   those interests), all on one announcement day (2025-09-24). The embedding cache is warmed first
   (each text embedded once for everybody: that cost is reported apart), then each user's rank
   stage runs as the lab cycle runs it (``rank_day`` on the user's schema with the user's config),
   one user after another. Reported: total and per-user wall time (warm), and the process's RSS and
   cumulative time after 50, 100, ... users.
2. ``GET /api/papers``: gunicorn with 4 workers on the lab database, 50 concurrent clients spread
   over the tokens of 50 users; the same load against one user's SQLite store (4 gunicorn workers,
   one token) as the single-user figure, in the same run. The load comes from ``wrk`` (Debian
   package ``wrk``; the default when installed), whose Lua script sends each request with the next
   user's ``Authorization`` header: a client in C that does not compete for the GIL. ``--client
   python`` keeps the older client (50 Python threads, client *i* with user *i*'s token), which on
   2 cores measures its own queueing as much as the server's. ``--worker-class sync,gthread`` runs
   the load once per gunicorn worker class.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dev_data import add_data_option, load_records, require  # noqa: E402
from wrk import load_average, run_wrk  # noqa: E402
from users import build_users  # noqa: E402

DAY = date(2025, 9, 24)
NOW = datetime(2025, 9, 25, 1, 0, tzinfo=timezone.utc)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_database(url: str) -> str:
    import psycopg

    name = f"pf_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def drop_database(url: str, db_url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {urlsplit(db_url).path.lstrip('/')} WITH (FORCE)")


def store_everything(store, records) -> int:
    from sync.models import AnnouncementEntry, AnnounceType
    from sync.sample import paper_from_record

    by_day: dict[str, list] = {}
    for r in records:
        by_day.setdefault(r["announced"], []).append(r)
    for day, rs in sorted(by_day.items()):
        store.upsert_entries([AnnouncementEntry(paper_from_record(r), AnnounceType.NEW) for r in rs],
                             announce_date=date.fromisoformat(day), source="feed")
    return len(records)


def add_users(admin, sims, config, *, threshold: float | None = None) -> list:
    from sync.lab import hash_token
    from sync.models import LibraryItem

    users = []
    for n, sim in enumerate(sims):
        name = f"u{n:04d}"
        user = admin.add_user(name, token_hash=hash_token(f"token-{name}-0123456789abcdef"), settings={
            "arxiv.categories": ["cs", "eess", "stat", "math", "physics", "q-bio", "q-fin", "econ", "astro-ph",
                                 "cond-mat", "quant-ph"],
            "arxiv.keywords": [], "ranking.backend": config["ranking.backend"],
            **({"ranking.threshold": threshold} if threshold is not None else {})})
        store = admin.user_store(user.id)
        store.reset_library_index(f"users/{user.id}")
        store.apply_library_page(items=[
            LibraryItem(key=f"K{i:07d}", title=r["title"], abstract=r.get("abstract", ""), arxiv_id=r["id"],
                        creators=tuple(r.get("authors") or ())[:5],
                        date_added=datetime.fromisoformat(r["announced"]).replace(tzinfo=timezone.utc))
            for i, r in enumerate(sim.library)])
        store.finish_library_pull(version=1, result="ok: bench")
        store.close()
        users.append(admin.user(name))
    return users


def rank_stage(admin, config, users, milestones) -> dict:
    from sync.lab import user_config
    from sync.rank_stage import rank_day

    per_user, at = [], {}
    began = time.perf_counter()
    for n, user in enumerate(users, start=1):
        store = admin.user_store(user.id)
        cfg = user_config(config, user, user.zotero_sealed)
        start = time.perf_counter()
        summary = rank_day(store, cfg, DAY, now=NOW)
        per_user.append(time.perf_counter() - start)
        assert summary.outcome == "ok", summary.line()
        store.close()
        if n in milestones:
            at[n] = (time.perf_counter() - began, rss_mb(), peak_mb())
    return {"per_user": per_user, "at": at, "total": time.perf_counter() - began}


def warm_up(admin, config, user) -> tuple[float, int]:
    """The first user's rank stage, cold: it embeds every stored paper once, for everybody."""
    from sync.lab import user_config
    from sync.rank_stage import rank_day

    store = admin.user_store(user.id)
    start = time.perf_counter()
    summary = rank_day(store, user_config(config, user, user.zotero_sealed), DAY, now=NOW)
    store.close()
    return time.perf_counter() - start, summary.embedded


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(config_path: Path, workers: int, log: Path, *, worker_class: str = "sync", threads: int = 1,
             root: Path = ROOT):
    import requests

    port = free_port()
    env = {**os.environ, "PAPERFEED_CONFIG": str(config_path), "PYTHONPATH": str(root)}
    extra = ["--worker-class", worker_class] + (["--threads", str(threads)] if worker_class == "gthread" else [])
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), *extra, "--bind",
                             f"127.0.0.1:{port}", "server.wsgi:app"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(url + "/api/health", timeout=1).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def load(url: str, tokens: list[str], clients: int, per_client: int) -> dict:
    import requests

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[n % len(tokens)]}"
        session.get(url + "/api/papers", timeout=30)  # warm the connection (and that worker's user cache)
        mine = []
        barrier.wait()
        for _ in range(per_client):
            start = time.perf_counter()
            response = session.get(url + "/api/papers", timeout=30)
            mine.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
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


# Each request carries the next user's token (every wrk thread walks the list from its own start).
WRK_LUA = """
local tokens = {%s}
local threads = 0
n = 0
setup = function(thread) thread:set("n", threads * 17); threads = threads + 1 end
request = function()
  n = n + 1
  return wrk.format("GET", "/api/papers", {["Authorization"] = "Bearer " .. tokens[(n %% #tokens) + 1]})
end
"""


def wrk_load(url: str, tokens: list[str], clients: int, seconds: int) -> dict:
    """``clients`` connections for ``seconds`` from wrk, tokens spread per request."""
    return run_wrk(url + "/api/papers", clients=clients, seconds=seconds, timeout="10s",
                   script=WRK_LUA % ", ".join(f'"{t}"' for t in tokens))


def measure(config_path: Path, tokens: list[str], args, log: Path, worker_class: str, root: Path = ROOT) -> dict:
    """One gunicorn server, a warm-up pass (every worker's page cache for every user), the load."""
    proc, url = gunicorn(config_path, args.workers, log, worker_class=worker_class, threads=args.threads, root=root)
    try:
        before = load_average()
        if args.client == "wrk":
            wrk_load(url, tokens, args.clients, 3)  # warm-up, not counted
            result = wrk_load(url, tokens, args.clients, args.seconds)
        else:
            result = load(url, tokens, args.clients, args.requests)
        result["load"] = f"{before} -> {load_average()}"
        return result
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("PAPERFEED_TEST_POSTGRES_URL", ""),
                        help="a PostgreSQL server URL (a scratch database is created and dropped in it)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--backend", choices=("hybrid", "embeddings", "tfidf"),
                        help="ranking backend (default hybrid; tfidf with --api-only: the page is the same shape)")
    parser.add_argument("--api-users", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync",
                        help="gunicorn worker class(es), comma-separated, e.g. sync,gthread (default sync)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (default 4)")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                        help="load generator: wrk (apt install wrk; default when present) or Python threads")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the loads, interleaved (lab, single user, ...), and report medians")
    parser.add_argument("--compare-root", type=Path, metavar="DIR",
                        help="also serve the lab with the server code of DIR (e.g. `git archive` of an older"
                             " commit): a before/after under the same machine load, interleaved")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--api-only", action="store_true",
                        help="only the API load: --api-users users, ranked with threshold 0 (full 50-match pages)")
    add_data_option(parser)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("error: give --url postgresql://... (see tests/support/pg_cluster.sh)")

    from sync.settings import Config
    from sync.store import Store

    records = load_records(require(args.data))
    if args.api_only:
        args.users = args.api_users
    args.backend = args.backend or ("tfidf" if args.api_only else "hybrid")
    sims = build_users(records, count=args.users, days=(DAY, DAY), seed=15)
    if len(sims) < args.users:
        raise SystemExit(f"only {len(sims)} users could be built")
    db = fresh_database(args.url)
    tmp = tempfile.mkdtemp(prefix="pfbench")
    try:
        config = Config({"store.url": db, "storage.data_dir": f"{tmp}/data", "ranking.backend": args.backend,
                         "server.token": "admin-token-0123456789abcdef", "lab.secret": "bench-secret-0123456789"})
        admin = Store(db)
        t = time.perf_counter()
        stored = store_everything(admin, records)
        print(f"shared: {stored} papers of {len(admin.announcement_dates(100))} announcement days stored in"
              f" {time.perf_counter() - t:.1f} s; candidates on {DAY}: {len(admin.announced_papers(DAY))}")
        t = time.perf_counter()
        users = add_users(admin, sims, config, threshold=0.0 if args.api_only else None)
        sizes = [len(s.library) for s in sims]
        print(f"users: {len(users)} added with libraries of {min(sizes)}-{max(sizes)} papers"
              f" (mean {statistics.mean(sizes):.0f}) in {time.perf_counter() - t:.1f} s")
        seconds, embedded = warm_up(admin, config, users[0])
        print(f"cold: the first user's rank stage took {seconds:.1f} s, embedding {embedded} texts once for"
              f" everybody (backend {args.backend}, embedding cache {admin.count_embeddings()} vectors)")
        milestones = sorted({m for m in (1, 25, 50, 100, 150, 200, args.users) if m <= args.users})
        result = rank_stage(admin, config, users, milestones)
        per = sorted(result["per_user"])
        print(f"rank stage, {len(users)} users one after another ({os.cpu_count()} cores, load average"
              f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
        print(f"  total {result['total']:.1f} s; per user p50 {statistics.median(per):.2f} s,"
              f" p90 {per[int(0.9 * (len(per) - 1))]:.2f} s, max {per[-1]:.2f} s")
        for n, (elapsed, rss, peak) in sorted(result["at"].items()):
            print(f"  after {n:4d} users: {elapsed:7.1f} s ({elapsed / n:.2f} s/user), RSS {rss:.0f} MB,"
                  f" peak {peak:.0f} MB")
        admin.close()
        if args.skip_api:
            return
        lab_config = Path(tmp) / "lab.toml"
        lab_config.write_text(f'[store]\nurl = "{db}"\n[server]\ntoken = "admin-token-0123456789abcdef"\n'
                              f'[storage]\ndata_dir = "{tmp}/data"\n', encoding="utf-8")
        tokens = [f"token-u{n:04d}-0123456789abcdef" for n in range(min(args.api_users, len(users)))]
        classes = [c.strip() for c in args.worker_class.split(",") if c.strip()]
        # the single-user figure: user 0's ranking in a SQLite store, same server and load
        single_dir = Path(tmp) / "single"
        single = Store(single_dir / "paperfeed.sqlite3")
        lab_store = Store(db).user_store(users[0].id)
        from sync.models import AnnouncementEntry, AnnounceType
        from sync.store.rankings import RankingRow

        ranked = lab_store.ranked_papers(DAY, limit=500)
        single.upsert_entries([AnnouncementEntry(r.paper, AnnounceType.NEW) for r in ranked], announce_date=DAY,
                              source="feed")
        single.save_ranking(DAY, [RankingRow(r.paper.arxiv_id, r.score, r.reason, r.tags, r.collection)
                                  for r in ranked])
        single.close()
        single_config = Path(tmp) / "single.toml"
        single_config.write_text(f'[server]\ntoken = "{tokens[0]}"\n[storage]\ndata_dir = "{single_dir}"\n',
                                 encoding="utf-8")
        runs: dict[tuple[str, str], list[dict]] = {}
        for n in range(args.rounds):
            for c in classes:
                loads = [("lab", lab_config, tokens, ROOT), ("single", single_config, [tokens[0]], ROOT)]
                if args.compare_root:
                    loads.insert(0, ("lab-before", lab_config, tokens, args.compare_root.resolve()))
                for name, cfg, toks, root in loads:
                    r = measure(cfg, toks, args, Path(tmp) / f"{name}-{c}-{n}.log", c, root)
                    runs.setdefault((name, c), []).append(r)
                    print(f"  round {n + 1} {name:10s} {c:8s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms"
                          f"  {r['rps']:6.0f} req/s (load average {r['load']})", flush=True)

        def median(name: str, c: str) -> dict:
            rs = runs[(name, c)]
            return {k: statistics.median(r[k] for r in rs) for k in ("p50_ms", "p99_ms", "rps", "n")} | {
                "load": "; ".join(r["load"] for r in rs)}

        client = (f"wrk, {args.clients} connections for {args.seconds} s after a 3 s warm-up, each request the next"
                  f" user's token" if args.client == "wrk" else
                  f"Python threads, {args.clients} clients x {args.requests} requests, keep-alive")
        print(f"GET /api/papers, gunicorn {args.workers} workers, {os.cpu_count()} cores; {client}; loopback"
              + (f"; medians of {args.rounds} interleaved rounds" if args.rounds > 1 else "") + ":")
        best = float("inf")
        for c in classes:
            kind = c + (f" x{args.threads} threads" if c == "gthread" else "")
            lab, one = median("lab", c), median("single", c)
            rows = [(f"lab, PostgreSQL, {len(tokens)} users, {kind}", lab), (f"single user, SQLite, {kind}", one)]
            if args.compare_root:
                rows.insert(0, (f"lab (server of --compare-root), {kind}", median("lab-before", c)))
            for name, r in rows:
                print(f"  {name:46s} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  {r['rps']:6.0f} req/s"
                      f" (load average {r['load']})")
            print(f"  {'lab/single-user, ' + kind:46s} p50 x{lab['p50_ms'] / one['p50_ms']:.2f}"
                  f"  p99 x{lab['p99_ms'] / one['p99_ms']:.2f}  throughput x{lab['rps'] / one['rps']:.2f}")
            best = min(best, lab["p99_ms"])
        print(f"target: lab p99 < 100 ms: {'met' if best < 100 else 'NOT met'} (best lab p99 {best:.1f} ms)")
    finally:
        drop_database(args.url, db)


if __name__ == "__main__":
    main()
