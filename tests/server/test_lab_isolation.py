"""A lab server on a real PostgreSQL: every route with two users; neither sees anything of the other's.

Alice and Bob share the day's papers (one fetch for everybody) but each has their own ranking,
feedback, library index (tags, collections), outbox, report and feed. Zotero is unreachable here:
saves are queued in the saver's own outbox.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from server import create_app
from sync.lab import encrypt_zotero, hash_token, user_feed_token
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, LibraryCollection, LibraryItem
from sync.store import Store, notifications
from sync.store.rankings import RankingRow
from tests.server.conftest import DAY, sample_papers, statements_during

ADMIN = "admin-token-0123456789abcdef"
ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef01"
SECRET = "lab-secret-0123456789abcdef"
ZOTERO_KEYS = ("ALICE-ZOTERO-KEY-0123456789", "BOB-ZOTERO-KEY-0123456789ab")


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def lab(pg_url, config):
    config = config.with_values(
        store__url=pg_url, server__token=ADMIN, lab__secret=SECRET, zotero__api_url="http://127.0.0.1:9/",
        zotero__max_retries=0, zotero__timeout_seconds=1.0, arxiv__api_url="http://127.0.0.1:9/api/query",
        arxiv__max_retries=0, arxiv__delay_seconds=0.0, arxiv__timeout_seconds=1.0)
    admin = Store(pg_url)
    papers = sample_papers(8)
    admin.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=DAY, source="feed")
    run = admin.start_fetch_run(kind="feed", query="cs")
    admin.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=DAY, new=len(papers))
    users = {}
    for name, token, mine, key in (("alice", ALICE, papers[:4], ZOTERO_KEYS[0]),
                                   ("bob", BOB, papers[4:7], ZOTERO_KEYS[1])):
        user = admin.add_user(name, email=f"{name}@lab.example", token_hash=hash_token(token))
        admin.set_user_zotero_secret(name, encrypt_zotero(config, library_id=str(user.id), api_key=key))
        store = admin.user_store(user.id)
        store.save_ranking(DAY, [RankingRow(p.arxiv_id, 0.9 - i / 20, f"{name}'s reason {i}", tags=(f"{name}-tag",))
                                 for i, p in enumerate(mine)])
        store.reset_library_index(f"users/{user.id}")
        store.apply_library_page(items=[LibraryItem(f"{name.upper()[:4]}0001", f"{name}'s own item",
                                                    tags=(f"{name}-lib-tag",), arxiv_id=mine[1].arxiv_id)],
                                 collections=[LibraryCollection(f"{name.upper()[:4]}COLL", f"{name}'s collection")])
        store.finish_library_pull(version=1, result="ok: 1 items")
        users[name] = (user, store, mine)
    app = create_app(config, store=admin)
    yield app.test_client(), users, papers
    notifications.disable(pg_url)  # the app's listening connection
    admin.close()


def test_sync_by_the_admin_runs_the_lab_cycle_and_by_a_user_their_own(lab):
    client, users, _ = lab
    app = client.application
    assert client.post("/api/sync", headers=auth(ADMIN), json={}).status_code == 202
    app.extensions["paperfeed"].sync_job.wait(60)
    admin_state = client.get("/api/sync", headers=auth(ADMIN)).get_json()
    assert "fetch (all users): failed" in admin_state["last_outcome"]["message"]  # arXiv is unreachable here
    message = admin_state["last_outcome"]["message"]
    assert "alice: problem: zotero pull" in message and "bob: problem: zotero pull" in message  # Zotero too
    assert client.post("/api/sync", headers=auth(BOB), json={}).status_code == 202
    app.extensions["paperfeed_users"][users["bob"][0].id][1].sync_job.wait(60)
    bob_state = client.get("/api/sync", headers=auth(BOB)).get_json()
    assert bob_state["last_outcome"]["message"].startswith("fetch: failed") and "alice" not in bob_state["last_outcome"]["message"]
    assert client.get("/api/sync", headers=auth(ALICE)).get_json()["last_outcome"] is None


def _ids(body: dict) -> list[str]:
    return [item["paper"]["id"] for item in body["items"]]


def _no_secrets(*responses) -> None:
    for response in responses:
        text = response.get_data(as_text=True)
        assert not any(key in text for key in ZOTERO_KEYS) and SECRET not in text


def test_papers_list_is_each_users_own_ranking_and_page_cache(lab):
    client, users, _ = lab
    a = client.get("/api/papers", headers=auth(ALICE))
    b = client.get("/api/papers", headers=auth(BOB))
    assert a.status_code == b.status_code == 200
    assert _ids(a.get_json()) == [p.arxiv_id for p in users["alice"][2]]
    assert _ids(b.get_json()) == [p.arxiv_id for p in users["bob"][2]]
    assert all("alice" in i["reason"] for i in a.get_json()["items"])
    assert a.headers["ETag"] != b.headers["ETag"]
    # Alice's cached page is not Bob's, and Bob's write does not serve Alice stale or foreign pages
    again = client.get("/api/papers", headers={**auth(ALICE), "If-None-Match": a.headers["ETag"]})
    assert again.status_code == 304
    client.post(f"/api/papers/{users['bob'][2][0].arxiv_id}/dismiss", headers=auth(BOB))
    assert client.get("/api/papers", headers={**auth(ALICE), "If-None-Match": a.headers["ETag"]}).status_code == 304
    _no_secrets(a, b)


def test_a_cached_page_is_rebuilt_after_a_write_from_elsewhere_and_a_removed_user_is_refused(lab, pg_url):
    client, users, _ = lab
    first = client.get("/api/papers", headers=auth(ALICE))
    assert client.get("/api/papers", headers=auth(ALICE)).headers["ETag"] == first.headers["ETag"]  # cached
    # another process (a CLI, another worker) writes Alice's feedback through its own store
    elsewhere = Store(pg_url).user_store(users["alice"][0].id)
    elsewhere.set_feedback(users["alice"][2][0].arxiv_id, "dismissed")
    elsewhere.close()
    after = client.get("/api/papers", headers={**auth(ALICE), "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert {i["paper"]["id"]: i["status"] for i in after.get_json()["items"]}[users["alice"][2][0].arxiv_id] \
        == "dismissed"
    # Bob's cached page did not move with Alice's write, and removing Bob refuses his token at once
    bob_page = client.get("/api/papers", headers=auth(BOB))
    assert client.get("/api/papers", headers={**auth(BOB), "If-None-Match": bob_page.headers["ETag"]}).status_code == 304
    Store(pg_url).remove_user("bob")
    assert client.get("/api/papers", headers=auth(BOB)).status_code == 401


def test_feedback_of_one_user_never_shows_for_the_other(lab):
    client, users, papers = lab
    shared = papers[3]  # alice's ranking; bob may look it up too
    users["bob"][1].save_ranking(DAY, [RankingRow(shared.arxiv_id, 0.5, "bob too")])
    assert client.post(f"/api/papers/{shared.arxiv_id}/dismiss", headers=auth(ALICE)).status_code == 200
    a = client.get(f"/api/papers/{shared.arxiv_id}", headers=auth(ALICE)).get_json()
    b = client.get(f"/api/papers/{shared.arxiv_id}", headers=auth(BOB)).get_json()
    assert a["status"] == "dismissed" and b["status"] == "new"
    assert client.get("/api/papers?status=dismissed", headers=auth(BOB)).get_json()["total"] == 0
    assert client.post(f"/api/papers/{shared.arxiv_id}/undo", headers=auth(BOB)).status_code == 200
    assert client.get(f"/api/papers/{shared.arxiv_id}", headers=auth(ALICE)).get_json()["status"] == "dismissed"
    assert users["bob"][1].feedback() == {} and users["alice"][1].feedback() == {shared.arxiv_id: "dismissed"}


def test_library_state_tags_and_collections_are_per_user(lab):
    client, users, _ = lab
    alices_item = users["alice"][2][1]
    a = client.get(f"/api/papers/{alices_item.arxiv_id}", headers=auth(ALICE)).get_json()
    b = client.get(f"/api/papers/{alices_item.arxiv_id}", headers=auth(BOB)).get_json()
    assert a["in_library"] and a["item_key"] == "ALIC0001"
    assert not b["in_library"] and b["item_key"] is None and b["match"] is None
    tags_a = client.get("/api/tags", headers=auth(ALICE)).get_json()["items"]
    tags_b = client.get("/api/tags", headers=auth(BOB)).get_json()["items"]
    assert "alice-lib-tag" in json.dumps(tags_a) and "bob" not in json.dumps(tags_a)
    assert "bob-lib-tag" in json.dumps(tags_b) and "alice" not in json.dumps(tags_b)
    colls_a = client.get("/api/collections", headers=auth(ALICE))
    colls_b = client.get("/api/collections", headers=auth(BOB))
    assert "alice's collection" in colls_a.get_data(as_text=True) and "bob" not in colls_a.get_data(as_text=True)
    assert "bob's collection" in colls_b.get_data(as_text=True) and "alice" not in colls_b.get_data(as_text=True)
    _no_secrets(colls_a, colls_b)


def test_save_goes_to_the_savers_outbox_only(lab):
    client, users, _ = lab
    paper = users["bob"][2][0]
    response = client.post(f"/api/papers/{paper.arxiv_id}/save", headers=auth(BOB), json={})
    assert response.status_code == 202  # Zotero unreachable: queued
    assert [e.arxiv_id for e in users["bob"][1].outbox_entries()] == [paper.arxiv_id]
    assert users["bob"][1].outbox_entries()[0].library == f"users/{users['bob'][0].id}"
    assert users["alice"][1].outbox_entries() == []
    assert client.get(f"/api/papers/{paper.arxiv_id}", headers=auth(ALICE)).get_json()["status"] == "new"
    _no_secrets(response)


def test_reports_feeds_bibtex_and_sync_state_are_per_user(lab):
    client, users, papers = lab
    report_a = client.get("/api/report", headers=auth(ALICE)).get_data(as_text=True)
    report_b = client.get("/api/report", headers=auth(BOB)).get_data(as_text=True)
    assert users["alice"][2][0].title in report_a and users["bob"][2][0].title not in report_a
    assert users["bob"][2][0].title in report_b and users["alice"][2][0].title not in report_b
    assert client.get(f"/feed.atom?token={ALICE}").get_json()["error"]["code"] == "token_in_url"
    alice = users["alice"][0]
    alice_feed = user_feed_token(client.application.extensions["paperfeed"].config, alice.id, hash_token(ALICE))
    assert client.get(f"/feed.atom?token={alice_feed[:-1]}0").status_code == 401  # a forged one
    feed_a = client.get(f"/feed.atom?token={alice_feed}").get_data(as_text=True)
    feed_b = client.get("/feed.atom", headers=auth(BOB)).get_data(as_text=True)
    assert users["alice"][2][0].arxiv_id in feed_a and users["bob"][2][0].arxiv_id not in feed_a
    assert users["bob"][2][0].arxiv_id in feed_b and users["alice"][2][0].arxiv_id not in feed_b
    bib = client.get(f"/api/papers/{papers[0].arxiv_id}/bibtex", headers=auth(BOB))
    assert bib.status_code == 200 and papers[0].arxiv_id in bib.get_data(as_text=True)  # papers are shared
    assert client.get("/api/sync", headers=auth(ALICE)).get_json()["state"] == "idle"
    assert client.get("/api/sync", headers=auth(BOB)).get_json()["state"] == "idle"


def test_health_shows_own_state_to_users_and_everyone_to_the_admin(lab):
    client, users, _ = lab
    users["bob"][1].note_user_cycle(users["bob"][0].id, "zotero: invalid API key")
    own = client.get("/api/health", headers=auth(ALICE)).get_json()
    admin = client.get("/api/health", headers=auth(ADMIN)).get_json()
    anonymous = client.get("/api/health").get_json()
    assert own["last_sync"]["message"] == "1 items" and own["configured"]["zotero"] is True
    assert "users" not in own and "users" not in anonymous
    problems = {u["name"]: u["problem"] for u in admin["users"]}
    assert problems == {"alice": "", "bob": "zotero: invalid API key"}


def test_tokens_wrong_rotated_and_admin(lab, pg_url):
    client, users, _ = lab
    assert client.get("/api/papers", headers=auth("not-a-token-of-anyone")).status_code == 401
    admin_view = client.get("/api/papers", headers=auth(ADMIN)).get_json()
    assert admin_view["items"] == []  # the admin's own (single-user) schema: no user's ranking
    assert client.get("/api/papers", headers=auth(ALICE)).status_code == 200
    with psycopg.connect(pg_url, autocommit=True) as observer:  # accepted from the server's token map, no SQL
        assert statements_during(observer, lambda: client.get("/api/papers", headers=auth(ALICE))) == 0
    # a rotation by this process is refused on the very next request (other processes': test_lab_notifications)
    store = users["alice"][1]
    store.set_user_token_hash("alice", hash_token("alice-new-token-0123456789abc"))
    assert client.get("/api/papers", headers=auth(ALICE)).status_code == 401
    assert client.get("/api/papers", headers=auth("alice-new-token-0123456789abc")).status_code == 200


def test_a_users_feed_token_reads_only_their_feed_and_dies_with_their_api_token(lab):
    client, users, _ = lab
    config = client.application.extensions["paperfeed"].config
    bob = users["bob"][0]
    bob_feed = user_feed_token(config, bob.id, hash_token(BOB))
    feed = client.get(f"/feed.atom?token={bob_feed}")
    assert feed.status_code == 200 and users["bob"][2][0].arxiv_id in feed.get_data(as_text=True)
    # the feed token is read-only: it is no API token
    assert client.get("/api/papers", headers=auth(bob_feed)).status_code == 401
    # rotating Bob's API token revokes his feed URL
    client.application.extensions["paperfeed"].store.set_user_token_hash("bob", hash_token("a-new-token-" + "x" * 32))
    assert client.get(f"/feed.atom?token={bob_feed}").status_code == 401
