"""``POST /api/papers/<id>/save`` against a local Zotero API server (real HTTP, real pyzotero)."""

from __future__ import annotations

import pytest

from server import create_app
from tests.server.conftest import AUTH, sample_papers, seed_day
from tests.support.zotero_server import ZoteroServer


@pytest.fixture
def zotero_server():
    with ZoteroServer(api_key="test-api-key", user_id=1) as server:
        yield server


@pytest.fixture
def zclient(server_config, api_store, zotero_server):
    config = server_config.with_values(
        zotero__library_id="1", zotero__api_key="test-api-key", zotero__api_url=zotero_server.url,
        zotero__max_wait_seconds=2.0, zotero__retry_base_seconds=0.01, zotero__max_retries=1,
        zotero__timeout_seconds=5.0)
    return create_app(config, store=api_store).test_client()


@pytest.fixture
def ranked(api_store):
    return seed_day(api_store, sample_papers(5))


def save(client, arxiv_id, body=None):
    return client.post(f"/api/papers/{arxiv_id}/save", headers=AUTH, json=body if body is not None else {})


def arxiv_items(server):
    return [i for i in server.library().top_items() if i.get("itemType") != "attachment"]


def test_save_then_again_is_idempotent(zclient, zotero_server, ranked):
    arxiv_id = ranked[0].paper.arxiv_id
    first = save(zclient, f"https://arxiv.org/abs/{arxiv_id}v1", {"tags": ["to-read"], "note": "for Thursday"})
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert body["status"] == "saved" and body["item_key"] and body["message"]
    again = save(zclient, arxiv_id)
    assert again.status_code == 200
    assert again.get_json()["status"] == "already_in_library"
    assert again.get_json()["item_key"] == body["item_key"]
    assert len(arxiv_items(zotero_server)) == 1
    # the day's list now shows it saved
    listed = zclient.get("/api/papers?status=saved", headers=AUTH).get_json()["items"]
    assert [m["paper"]["id"] for m in listed] == [arxiv_id]


def test_save_queues_when_zotero_is_unreachable(server_config, api_store, ranked):
    down = server_config.with_values(zotero__library_id="1", zotero__api_key="test-api-key",
                                     zotero__api_url="http://127.0.0.1:9", zotero__max_retries=0,
                                     zotero__retry_base_seconds=0.01)
    client = create_app(down, store=api_store).test_client()
    response = save(client, ranked[1].paper.arxiv_id)
    assert response.status_code == 202
    assert response.get_json()["status"] == "queued"
    assert [e.arxiv_id for e in api_store.outbox_entries()] == [ranked[1].paper.arxiv_id]


def test_save_without_zotero_configured_is_queued(server_config, api_store, ranked):
    client = create_app(server_config.with_values(zotero__api_key=""), store=api_store).test_client()
    response = save(client, ranked[0].paper.arxiv_id)
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    assert "not configured" in response.get_json()["message"]


@pytest.mark.parametrize("body,field", [
    ({"tags": "to-read"}, "tags"),
    ({"tags": [""]}, "tags"),
    ({"tags": ["x"] * 51}, "tags"),
    ({"tags": ["x" * 256]}, "tags"),
    ({"collection": ""}, "collection"),
    ({"note": 12}, "note"),
    ({"colection": "Reading group"}, "colection"),
])
def test_save_bad_body_is_400_and_saves_nothing(zclient, zotero_server, api_store, ranked, body, field):
    response = save(zclient, ranked[0].paper.arxiv_id, body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and field in error["details"]["fields"]
    assert arxiv_items(zotero_server) == [] and api_store.outbox_entries() == []


def test_save_accepts_a_tag_as_long_as_zotero_allows(zclient, zotero_server, ranked):
    """255 characters: Zotero's limit and the popup's (lib/format.js normaliseTag); the API said 200."""
    tag = "t" * 255
    response = save(zclient, ranked[0].paper.arxiv_id, {"tags": [tag]})
    assert response.status_code == 200, response.get_json()
    [item] = arxiv_items(zotero_server)
    assert tag in {t["tag"] for t in item["tags"]}


def test_save_refused_api_key_stays_queued_with_the_reason(zclient, zotero_server, api_store, ranked):
    zotero_server.add_fault(403, method="POST", path="/items", count=10, body="Write access denied")
    response = save(zclient, ranked[2].paper.arxiv_id)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued" and "API key" in body["message"]
    assert [e.arxiv_id for e in api_store.outbox_entries()] == [ranked[2].paper.arxiv_id]
    assert "test-api-key" not in response.get_data(as_text=True)
