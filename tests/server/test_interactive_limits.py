"""Request handlers wait on arXiv and Zotero with a short budget (the popup gives up after 15 s,
60 s for a save); the engine's batch policy (4 retries, backoff up to a minute) is the outbox's.

Regression: with arXiv down, ``GET /api/papers/<unknown id>`` took a minute and a save of an
unknown paper two (one full retry round to store the paper, another in the push), so the
extension reported "server not reachable" for a save that the server had in fact queued.
"""

from __future__ import annotations

import time

import pytest

from server import create_app
from server.context import INTERACTIVE_LIMITS, interactive_config
from tests.server.conftest import AUTH, sample_papers, seed_day
from tests.support.arxiv_server import LocalArxiv, Reply
from tests.support.zotero_server import ZoteroServer

ARXIV_DOWN = Reply(503, b"down", {"Content-Type": "text/plain", "Retry-After": "0"})


@pytest.fixture
def arxiv_down():
    with LocalArxiv() as server:
        server.api = lambda q: ARXIV_DOWN
        yield server


@pytest.fixture
def zotero_server():
    with ZoteroServer(api_key="test-api-key", user_id=1) as server:
        yield server


@pytest.fixture
def patient_config(server_config, arxiv_down, zotero_server):
    """The engine's patient batch policy (many retries, long timeouts), as a user may configure it."""
    return arxiv_down.config(server_config, arxiv__max_retries=4, arxiv__timeout_seconds=30.0).with_values(
        zotero__library_id="1", zotero__api_key="test-api-key", zotero__api_url=zotero_server.url,
        zotero__max_retries=4, zotero__retry_base_seconds=0.01, zotero__max_wait_seconds=2.0,
        zotero__timeout_seconds=30.0)


def test_interactive_config_caps_retries_and_timeouts(patient_config):
    capped = interactive_config(patient_config)
    for name, cap in INTERACTIVE_LIMITS.items():
        assert capped[name] == cap
    assert patient_config["arxiv.max_retries"] == 4  # the background policy is untouched
    lenient = patient_config.with_values(arxiv__max_retries=0, zotero__timeout_seconds=5.0)
    assert interactive_config(lenient)["arxiv.max_retries"] == 0
    assert interactive_config(lenient)["zotero.timeout_seconds"] == 5.0


def test_interactive_detail_gives_up_on_arxiv_after_one_retry(patient_config, api_store, arxiv_down):
    client = create_app(patient_config, store=api_store).test_client()
    response = client.get("/api/papers/2501.99999", headers=AUTH)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "arxiv_unavailable"
    assert len(arxiv_down.requests_to("/api/query")) == 1 + INTERACTIVE_LIMITS["arxiv.max_retries"]


def test_interactive_save_of_unknown_paper_is_queued_after_bounded_arxiv_attempts(
        patient_config, api_store, arxiv_down):
    app = create_app(patient_config, store=api_store)
    started = time.monotonic()
    response = app.test_client().post("/api/papers/2501.99999/save", headers=AUTH, json={})
    elapsed = time.monotonic() - started
    app.extensions["paperfeed"].pusher.stop()
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["status"] == "queued"
    assert api_store.outbox_entry("2501.99999") is not None
    # The request looks the paper up once (one try and one retry), then waits for the background
    # pusher at most zotero.save_wait_seconds; the pusher's own lookup has the patient policy
    # (it may still be retrying), which the request does not wait for.
    assert elapsed < 5.0


def test_interactive_save_is_queued_while_zotero_keeps_failing(patient_config, api_store, zotero_server):
    """The request never calls Zotero: the background pusher does (with the patient policy), and the
    request answers "queued" after at most zotero.save_wait_seconds."""
    ranked = seed_day(api_store, sample_papers(2))
    zotero_server.add_fault(503, method="POST", count=100, headers={"Retry-After": "0.3"})
    app = create_app(patient_config, store=api_store)
    started = time.monotonic()
    response = app.test_client().post(f"/api/papers/{ranked[0].paper.arxiv_id}/save", headers=AUTH, json={})
    elapsed = time.monotonic() - started
    app.extensions["paperfeed"].pusher.stop()
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["status"] == "queued"
    assert response.get_json()["save"]["state"] == "queued"
    assert elapsed < patient_config["zotero.save_wait_seconds"] + 1.0
