"""Health, the library pickers, the background sync, reports and the Atom feed."""

from __future__ import annotations

import threading

import pytest

from sync.cycle import CycleResult, StepResult
from sync.errors import BusyError
from sync.models import FetchOutcome
from tests.server.conftest import AUTH, DAY, FEED_TOKEN, sample_papers, seed_day, seed_library


def test_health_fresh_store(client):
    body = client.get("/api/health").get_json()
    assert body == {"status": "ok", "version": body["version"], "store": "ok", "configured": {"zotero": True},
                    "last_fetch": None, "last_rank": None, "last_sync": None, "problems": []}


def test_health_reports_last_runs(client, api_store):
    seed_day(api_store, sample_papers(3))
    run = api_store.start_fetch_run(kind="feed", query="cs.LG")
    api_store.finish_fetch_run(run, outcome=FetchOutcome.UNREACHABLE, message="connection refused")
    seed_library(api_store, in_library={})
    body = client.get("/api/health").get_json()
    assert body["last_fetch"]["outcome"] == "unreachable"
    assert body["last_fetch"]["message"] == "connection refused"
    assert body["last_fetch"]["at"].endswith("Z")
    assert body["last_sync"]["outcome"] == "ok" and body["last_sync"]["message"] == "3 items, 2 collections"


def test_health_zotero_not_configured(server_config, api_store):
    from server import create_app

    app = create_app(server_config.with_values(zotero__api_key=""), store=api_store)
    assert app.test_client().get("/api/health").get_json()["configured"] == {"zotero": False}


def test_collections_and_tags_from_the_synced_library(client, api_store):
    assert client.get("/api/collections", headers=AUTH).get_json() == {"items": []}
    assert client.get("/api/tags", headers=AUTH).get_json() == {"items": []}
    seed_library(api_store, in_library={"2509.00001": "ITEM0001", "2509.00002": "ITEM0002"})
    collections = client.get("/api/collections", headers=AUTH).get_json()["items"]
    assert collections == [{"key": "COLL0002", "name": "Attention", "parent": "COLL0001"},
                           {"key": "COLL0001", "name": "Reading group", "parent": None}]
    tags = client.get("/api/tags", headers=AUTH).get_json()["items"]
    assert tags == [{"tag": "ml", "count": 3}, {"tag": "theory", "count": 1}, {"tag": "to-read", "count": 1}] \
        or tags == [{"tag": "ml", "count": 3}, {"tag": "to-read", "count": 1}, {"tag": "theory", "count": 1}]


class BlockingCycle:
    """A stand-in for run_cycle that waits until released, reporting progress like the real one."""

    def __init__(self, *, fail: Exception | None = None):
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail = fail
        self.calls: list[dict] = []

    def __call__(self, config, store, *, sample=False, progress=None):
        self.calls.append({"sample": sample})
        progress("fetch", 0, 0)
        self.started.set()
        self.release.wait(5)
        progress("rank", 0, 0)
        if self.fail:
            raise self.fail
        return CycleResult(steps=[StepResult("fetch", "ok", "fetched 3"), StepResult("rank", "ok", "ranked 3")])


def test_sync_one_at_a_time_then_done(app, client):
    cycle = BlockingCycle()
    app.extensions["paperfeed"].cycle_runner = cycle
    assert client.get("/api/sync", headers=AUTH).get_json()["state"] == "idle"
    started = client.post("/api/sync", headers=AUTH, json={"sample": True})
    assert started.status_code == 202 and started.get_json()["state"] == "running"
    assert cycle.started.wait(5)
    assert client.get("/api/sync", headers=AUTH).get_json()["step"] == "fetch"
    again = client.post("/api/sync", headers=AUTH)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "sync_running"
    cycle.release.set()
    app.extensions["paperfeed"].sync_job.wait(5)
    state = client.get("/api/sync", headers=AUTH).get_json()
    assert state["state"] == "done" and state["step"] == "rank" and state["finished_at"]
    assert state["last_outcome"]["state"] == "done" and "ranked 3" in state["last_outcome"]["message"]
    assert cycle.calls == [{"sample": True}]


def test_sync_failure_is_visible(app, client):
    cycle = BlockingCycle(fail=BusyError("a daily cycle is already running (pid 42)"))
    cycle.release.set()
    app.extensions["paperfeed"].cycle_runner = cycle
    assert client.post("/api/sync", headers=AUTH).status_code == 202
    app.extensions["paperfeed"].sync_job.wait(5)
    state = client.get("/api/sync", headers=AUTH).get_json()
    assert state["state"] == "failed"
    assert state["last_outcome"]["message"] == "a daily cycle is already running (pid 42)"


@pytest.mark.parametrize("fmt,mimetype,marker", [("md", "text/markdown", "#"), ("html", "text/html", "<")])
def test_report_formats(client, api_store, fmt, mimetype, marker):
    ranked = seed_day(api_store, sample_papers(5))
    response = client.get(f"/api/report?date={DAY.isoformat()}&format={fmt}", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == mimetype
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith(marker)
    assert ranked[0].paper.title.split()[0] in text


def test_report_weekly(client, api_store):
    seed_day(api_store, sample_papers(5))
    response = client.get(f"/api/report?date={DAY.isoformat()}&week=true", headers=AUTH)
    assert response.status_code == 200 and response.mimetype == "text/markdown"


@pytest.mark.parametrize("how", ["header", "query"])
def test_atom_feed_with_token(client, api_store, how):
    ranked = seed_day(api_store, sample_papers(5))
    if how == "header":
        response = client.get("/feed.atom", headers=AUTH)
    else:
        response = client.get(f"/feed.atom?token={FEED_TOKEN}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    text = response.get_data(as_text=True)
    assert "<feed" in text and ranked[0].paper.arxiv_id in text
    assert "token=" not in text  # the feed's self link must not leak the token


@pytest.mark.parametrize("result,outcome,message", [
    ("ok: 4 items updated", "ok", "4 items updated"),
    ("unchanged", "ok", "unchanged"),
    ("error: Zotero refused the API key (403)", "error", "Zotero refused the API key (403)"),
])
def test_health_last_sync_outcome_from_the_pull_result(client, api_store, result, outcome, message):
    seed_library(api_store, in_library={})
    api_store.note_library_sync(result)
    last_sync = client.get("/api/health").get_json()["last_sync"]
    assert (last_sync["outcome"], last_sync["message"]) == (outcome, message)
    assert last_sync["at"].endswith("Z")


def test_health_interrupted_library_pull(client, api_store):
    api_store.reset_library_index("users/12345")
    assert client.get("/api/health").get_json()["last_sync"] is None  # never pulled
    api_store.begin_library_pull(target_version=9, item_keys=["A", "B"], collection_keys=[])
    last_sync = client.get("/api/health").get_json()["last_sync"]
    assert last_sync["outcome"] == "interrupted" and "2 items" in last_sync["message"]


def test_health_last_rank_from_the_rank_runs(client, api_store):
    run = api_store.start_rank_run(day=DAY, backend="tfidf")
    assert client.get("/api/health").get_json()["last_rank"]["outcome"] == "running"
    api_store.finish_rank_run(run, outcome="ok", candidates=40, ranked=12, message="12 ranked")
    last_rank = client.get("/api/health").get_json()["last_rank"]
    assert (last_rank["outcome"], last_rank["message"]) == ("ok", "12 ranked") and last_rank["at"].endswith("Z")
