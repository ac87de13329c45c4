"""A live paperfeed for the browser tests: the local Zotero test server, a seeded store, and
``paperfeed serve`` as a subprocess on a free loopback port, exactly as a user runs it.

The store is seeded through the engine's own API: the bundled sample day is stored, the
Zotero test library (the bundled sample library plus two collections) is pulled into the
index, and the day is ranked by the ranking stage.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import requests

from sync.sample import SAMPLE_DATE, sample_collections, sample_library
from sync.models import AnnouncementEntry, AnnounceType, Paper
from sync.settings import load_config
from sync.store import Store
from sync.store.rankings import RankingRow
from tests.support.zotero_server import KEY_ALPHABET, ZoteroServer

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
ARTIFACTS = REPO / "test-artifacts" / "extension"
ZOTERO_KEY = "zotero-test-key-not-a-secret"
ZOTERO_USER = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_bin() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed: the extension tests need node >= 20 (see .ci/run)")
    return node


def require_node_modules() -> None:
    if not (EXTENSION / "node_modules" / ".package-lock.json").exists():
        raise RuntimeError("extension/node_modules is missing: run `npm ci` in extension/ (.ci/run does)")


def _zotero_item(item) -> dict:
    creators = []
    for name in item.creators:
        first, _, last = name.rpartition(" ")
        creators.append({"creatorType": "author", "firstName": first, "lastName": last or name})
    return {
        "itemType": "preprint", "title": item.title, "abstractNote": item.abstract, "creators": creators,
        "repository": "arXiv", "archiveID": f"arXiv:{item.arxiv_id}", "url": item.url or "",
        "tags": [{"tag": tag} for tag in item.tags], "collections": list(item.collections), "relations": {},
        "dateAdded": item.date_added.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _item_key(index: int) -> str:
    digits = ""
    for _ in range(8):
        index, digit = divmod(index, len(KEY_ALPHABET))
        digits = KEY_ALPHABET[digit] + digits
    return digits


def seed_zotero(zotero: ZoteroServer) -> dict[str, str]:
    """The sample library as Zotero items with their tags and collections (sync/sample.py), and
    two more collections (one nested) for the picker.

    Keys and versions are the same on every call, so a store that pulled one seeded server
    is a faithful index of any other seeded server (the tests rank once and copy the store).
    """
    lib = zotero.library()
    reading = lib.add_collection("Reading list", key="READLIST")
    llms = lib.add_collection("LLMs", parent=reading, key="LLMSCLCT")
    for collection in sample_collections():  # parents first
        lib.add_collection(collection.name, parent=collection.parent_key, key=collection.key)
    items = [{**_zotero_item(item), "key": _item_key(index)} for index, item in enumerate(sample_library())]
    for start in range(0, len(items), 50):
        lib.add_items(items[start:start + 50])
    return {"Reading list": reading, "LLMs": llms}


def write_config(tmp: Path, *, zotero_url: str, port: int, token: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        "[server]\n"
        f'host = "127.0.0.1"\nport = {port}\ntoken = "{token}"\n'
        "[zotero]\n"
        f'library_id = "{ZOTERO_USER}"\nlibrary_type = "user"\napi_key = "{ZOTERO_KEY}"\napi_url = "{zotero_url}"\n'
        "max_retries = 1\nretry_base_seconds = 0.1\n"
        "[storage]\n"
        f'data_dir = "{tmp / "data"}"\n',
        encoding="utf-8",
    )
    return path


LISTING_FIXTURE = EXTENSION / "tests" / "fixtures" / "arxiv-list-astro-ph-pastweek-2024-11.html"
# Ranked days of the real listing page: (day, how many of its first papers, which one is dismissed).
LISTING_DAYS = ((date(2024, 11, 22), 3, 1), (date(2024, 11, 20), 2, None))


def listing_page_days(path: Path = LISTING_FIXTURE) -> dict[date, list[tuple[str, str]]]:
    """The real listing page's days: (arXiv id, title) of each entry, in page order."""
    text = path.read_text(encoding="utf-8")
    days: dict[date, list[tuple[str, str]]] = {}
    for section in text.split("<h3>")[1:]:
        head = re.match(r"\s*\w{3}, (\d{1,2} \w{3} \d{4})", section)
        if not head:
            continue
        day = datetime.strptime(head.group(1), "%d %b %Y").date()
        ids = re.findall(r'title="Abstract" id="(\d{4}\.\d{4,5})"', section)
        titles = [html.unescape(" ".join(t.split())) for t in
                  re.findall(r'<span class="descriptor">Title:</span>(.*?)</div>', section, re.DOTALL)]
        days[day] = list(zip(ids, titles))
    return days


def seed_listing_days(store: Store) -> dict[str, list[str]]:
    """Rank a few papers of two days of the real listing page (one dismissed); returns ids per day."""
    page = listing_page_days()
    seeded: dict[str, list[str]] = {}
    for day, count, dismissed in LISTING_DAYS:
        chosen = page[day][:count]
        entries = [AnnouncementEntry(Paper(arxiv_id=aid, title=title, categories=("astro-ph.CO",),
                                           primary_category="astro-ph.CO", announce_date=day), AnnounceType.NEW)
                   for aid, title in chosen]
        store.upsert_entries(entries, announce_date=day, source="test")
        store.save_ranking(day, [RankingRow(aid, 0.9 - i * 0.1, "similar to papers in your library",
                                            tags=("cosmology",), collection=None)
                                 for i, (aid, _) in enumerate(chosen)])
        if dismissed is not None:
            store.set_feedback(chosen[dismissed][0], "dismissed")
        seeded[day.isoformat()] = [aid for aid, _ in chosen]
    return seeded


ABS_ID = "2509.19228"  # the paper of the abstract-page fixture (extension/tests/fixtures)


def ensure_ranked(store: Store, arxiv_id: str) -> None:
    """Make the abstract-page fixture's paper one of the sample day's matches (last, if the
    ranking left it out), so the abstract page's score and reason are checked in the browsers."""
    ranked = store.ranked_papers(SAMPLE_DATE, limit=1000)
    if any(r.paper.arxiv_id == arxiv_id for r in ranked):
        return
    rows = [RankingRow(r.paper.arxiv_id, r.score, r.reason, r.tags, r.collection) for r in ranked]
    last = min((r.score for r in ranked), default=0.5)
    rows.append(RankingRow(arxiv_id, round(max(0.0, last - 0.01), 4), "similar to papers in your library: long-context LLMs",
                           ("LLM", "reasoning"), "RLLLMS22"))
    store.save_ranking(SAMPLE_DATE, rows)


def seed_store(config) -> int:
    """Store the sample day, pull the Zotero library, rank the day; returns the matches count."""
    from sync.fetch import run_fetch
    from sync.library_sync import pull_library
    from sync.rank_stage import rank_day

    store = Store(config.store_path)
    try:
        run_fetch(store, config, sample=True)
        pull_library(store, config)
        now = datetime.combine(SAMPLE_DATE, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=6)
        rank_day(store, config, SAMPLE_DATE, now=now)
        ensure_ranked(store, ABS_ID)
        seed_listing_days(store)
        return store.count_ranked(SAMPLE_DATE)
    finally:
        store.close()


@dataclass
class LivePaperfeed:
    url: str
    token: str
    zotero: ZoteroServer
    process: subprocess.Popen
    log_path: Path
    matches: int
    env: dict[str, str] | None = None

    def cli_command(self, *args: str) -> list[str]:
        """A ``paperfeed`` command against this server's config and store (run with ``self.env``)."""
        return [sys.executable, "-m", "server.cli", *args]

    def zotero_items(self) -> list[dict]:
        """Every top-level item the Zotero test server holds, read through its HTTP API."""
        items: list[dict] = []
        while True:
            response = requests.get(f"{self.zotero.url}/users/{ZOTERO_USER}/items/top",
                                    params={"format": "json", "limit": 100, "start": len(items)},
                                    headers={"Zotero-API-Key": ZOTERO_KEY, "Zotero-API-Version": "3"}, timeout=10)
            response.raise_for_status()
            page = response.json()
            items.extend(entry["data"] for entry in page)
            if not page or len(items) >= int(response.headers.get("Total-Results", len(items))):
                return items

    def items_for(self, arxiv_id: str) -> list[dict]:
        return [item for item in self.zotero_items()
                if item.get("archiveID") == f"arXiv:{arxiv_id}" or item.get("url", "").rstrip("/").endswith(f"/abs/{arxiv_id}")]


def _environment(config_path: Path, data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PAPERFEED_CONFIG": str(config_path), "PAPERFEED_STORAGE_DATA_DIR": str(data_dir),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    for name in ("PAPERFEED_ZOTERO_API_KEY", "PAPERFEED_SERVER_TOKEN", "PAPERFEED_ZOTERO_LIBRARY_ID"):
        env.pop(name, None)
    return env


def seeded_data_dir(tmp: Path) -> tuple[Path, int]:
    """A data dir whose store holds the sample day, the pulled test library and the day's ranking."""
    with ZoteroServer(api_key=ZOTERO_KEY, user_id=ZOTERO_USER) as zotero:
        seed_zotero(zotero)
        config_path = write_config(tmp, zotero_url=zotero.url, port=free_port(), token="unused")
        config = load_config(config_path, environ=_environment(config_path, tmp / "data"))
        return tmp / "data", seed_store(config)


def start_paperfeed(tmp: Path, template: tuple[Path, int]) -> LivePaperfeed:
    """A fresh seeded Zotero test server and ``paperfeed serve`` over a copy of the seeded store."""
    zotero = ZoteroServer(api_key=ZOTERO_KEY, user_id=ZOTERO_USER).start()
    seed_zotero(zotero)
    data_dir, matches = template
    shutil.copytree(data_dir, tmp / "data")
    token = secrets.token_urlsafe(24)
    port = free_port()
    config_path = write_config(tmp, zotero_url=zotero.url, port=port, token=token)
    env = _environment(config_path, tmp / "data")
    log_path = tmp / "serve.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-schedule"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"paperfeed serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"paperfeed serve did not answer within 30 s:\n{log_path.read_text()}")
        time.sleep(0.2)
    return LivePaperfeed(url=url, token=token, zotero=zotero, process=process, log_path=log_path, matches=matches,
                         env=env)


def stop_paperfeed(live: LivePaperfeed) -> None:
    live.process.terminate()
    try:
        live.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        live.process.kill()
    live.zotero.stop()


DOCS_IMG = REPO / "docs" / "img"


def publish_screenshots(names: dict[str, str]) -> list[Path]:
    """Copy test screenshots (artifact name -> docs name) to docs/img when PAPERFEED_DOCS_SCREENSHOTS=1."""
    if os.environ.get("PAPERFEED_DOCS_SCREENSHOTS") != "1":
        return []
    written = []
    for artifact, doc_name in names.items():
        source = ARTIFACTS / artifact
        if source.is_file():
            shutil.copyfile(source, DOCS_IMG / doc_name)
            written.append(DOCS_IMG / doc_name)
    return written


def run_e2e(script: str, live: LivePaperfeed, *, timeout: float = 240, **extra_env: str) -> dict:
    """Run extension/tests/e2e/<script> against ``live``; returns the flow's JSON result."""
    require_node_modules()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PAPERFEED_URL": live.url, "PAPERFEED_TOKEN": live.token,
           "ARTIFACTS_DIR": str(ARTIFACTS), "CLOSED_PORT": str(free_port()), **extra_env}
    done = subprocess.run([node_bin(), f"tests/e2e/{script}"], cwd=EXTENSION, env=env, capture_output=True,
                          text=True, timeout=timeout)
    (ARTIFACTS / f"{script}.log").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0:
        raise AssertionError(f"{script} failed (exit {done.returncode}):\n{done.stderr[-6000:]}\n"
                             f"--- paperfeed serve log ---\n{live.log_path.read_text()[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rank_nothing_above_threshold(live: LivePaperfeed) -> subprocess.CompletedProcess:
    """Re-rank the sample day (the newest) with ``ranking.threshold = 0.99`` through
    ``paperfeed rank``, as a user with a too strict threshold would: the day stays ranked, with no match.
    TF-IDF ranks without loading the model (the reason the popup shows is the same)."""
    env = {**(live.env or {}), "PAPERFEED_RANKING_THRESHOLD": "0.99", "PAPERFEED_RANKING_BACKEND": "tfidf"}
    done = subprocess.run(live.cli_command("rank", "--date", SAMPLE_DATE.isoformat()), cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise AssertionError(f"paperfeed rank failed:\n{done.stdout}\n{done.stderr}")
    return done


class ZoteroComesBack:
    """Zotero answers 503 to every write until the e2e script writes ``flag`` (its saves are
    queued); then the fault is cleared and ``paperfeed sync --retry-now`` pushes the outbox, as
    the server's own retry would. ``items_while_down`` is what Zotero held for those papers first."""

    def __init__(self, live: LivePaperfeed, flag: Path) -> None:
        import threading

        self.live, self.flag = live, flag
        self.fault = live.zotero.add_fault(503, method="POST", count=1000)
        self.items_while_down: dict[str, list] | None = None
        self.sync: subprocess.CompletedProcess | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 150
        while not self.flag.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.flag.exists():
            text = self.flag.read_text()
            ids = json.loads(text) if text.startswith("[") else [text]
            self.items_while_down = {arxiv_id: self.live.items_for(arxiv_id) for arxiv_id in ids}
        self.fault.count = 0
        self.sync = subprocess.run(self.live.cli_command("sync", "--retry-now"), cwd=REPO, env=self.live.env,
                                   capture_output=True, text=True, timeout=90)

    def join(self) -> None:
        self._thread.join(timeout=120)


def unpacked_store_build(tmp: Path, browser: str) -> Path:
    """``npm run package`` from src/ (what users install), the ``browser`` zip (firefox or chrome) unpacked."""
    import zipfile

    require_node_modules()
    done = subprocess.run([node_bin(), "scripts/package.mjs", "--out", str(tmp / "dist")], cwd=EXTENSION,
                          capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise AssertionError(f"npm run package failed:\n{done.stdout}\n{done.stderr}")
    built = json.loads(done.stdout.strip().splitlines()[-1])
    target = tmp / f"unpacked-{browser}"
    with zipfile.ZipFile(built[browser]) as archive:
        archive.extractall(target)
    return target
