"""``/api/papers``: the day's list, paging and filters, the announcement state, dismiss and undo."""

from __future__ import annotations

from datetime import date

import pytest

from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome
from tests.server.conftest import AUTH, DAY, sample_papers, seed_day

PAPER_KEYS = {"id", "version", "title", "authors", "abstract", "categories", "primary_category", "comment",
              "journal_ref", "doi", "published", "updated", "announce_date", "announce_type", "abs_url",
              "pdf_url"}
MATCH_KEYS = {"paper", "score", "reason", "tags", "collection", "status", "item_key", "rank", "save"}


@pytest.fixture
def seeded(api_store):
    return seed_day(api_store, sample_papers(30))


def get(client, url):
    response = client.get(url, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_papers_default_is_newest_ranked_day(client, api_store, seeded):
    seed_day(api_store, sample_papers(40)[30:], day=date(2025, 9, 23))
    body = get(client, "/api/papers")
    assert body["date"] == DAY.isoformat()
    assert body["announcement"] == "ok"
    assert body["total"] == 30
    assert [m["rank"] for m in body["items"]] == list(range(1, 31))
    assert "30 matching papers" in body["message"]


def test_papers_match_shape(client, seeded):
    first = get(client, "/api/papers?limit=1")["items"][0]
    assert set(first) == MATCH_KEYS
    assert set(first["paper"]) == PAPER_KEYS
    assert first["paper"]["id"] == seeded[0].paper.arxiv_id
    assert first["paper"]["abs_url"] == f"https://arxiv.org/abs/{seeded[0].paper.arxiv_id}"
    assert first["paper"]["announce_date"] == DAY.isoformat()
    assert first["score"] == pytest.approx(0.9)
    assert first["reason"] == seeded[0].reason
    assert first["collection"] == {"key": "COLL0001", "name": "COLL0001"}
    assert first["status"] == "new" and first["item_key"] is None


@pytest.mark.parametrize("query,expected_ranks,total", [
    ("limit=5", [1, 2, 3, 4, 5], 30),
    ("limit=5&offset=28", [29, 30], 30),
    ("offset=100", [], 30),
    ("min_score=0.85", [1, 2, 3, 4, 5, 6], 6),
    ("min_score=0.85&limit=2&offset=2", [3, 4], 6),
    ("date=2025-09-24&limit=3", [1, 2, 3], 30),
])
def test_papers_paging_and_filters(client, seeded, query, expected_ranks, total):
    body = get(client, f"/api/papers?{query}")
    assert [m["rank"] for m in body["items"]] == expected_ranks
    assert body["total"] == total


def test_papers_dismiss_undo_and_status_filter(client, seeded):
    target = seeded[2].paper.arxiv_id
    response = client.post(f"/api/papers/{target}/dismiss", headers=AUTH)
    assert response.status_code == 200 and response.get_json() == {"status": "dismissed"}
    again = client.post(f"/api/papers/{target}/dismiss", headers=AUTH)  # idempotent
    assert again.get_json() == {"status": "dismissed"}
    dismissed = get(client, "/api/papers?status=dismissed")
    assert [m["paper"]["id"] for m in dismissed["items"]] == [target]
    assert dismissed["total"] == 1
    assert target not in [m["paper"]["id"] for m in get(client, "/api/papers?status=new&limit=500")["items"]]
    assert get(client, "/api/papers?status=new")["total"] == 29

    undone = client.post(f"/api/papers/{target}/undo", headers=AUTH)
    assert undone.status_code == 200 and undone.get_json() == {"status": "new"}
    assert get(client, "/api/papers?status=dismissed")["total"] == 0


def test_papers_dismiss_accepts_any_id_form(client, seeded):
    arxiv_id = seeded[0].paper.arxiv_id
    for form in (f"arXiv:{arxiv_id}v3", f"https://arxiv.org/abs/{arxiv_id}",
                 f"https%3A%2F%2Farxiv.org%2Fpdf%2F{arxiv_id}v1"):
        response = client.post(f"/api/papers/{form}/dismiss", headers=AUTH)
        assert response.status_code == 200, (form, response.get_json())
    assert get(client, "/api/papers?status=dismissed")["items"][0]["paper"]["id"] == arxiv_id


def test_papers_nothing_ranked_yet(client):
    body = get(client, "/api/papers")
    assert body == {"date": None, "announcement": "not_fetched", "message": body["message"], "total": 0,
                    "limit": 50, "offset": 0, "items": []}
    assert "paperfeed daily" in body["message"]


def test_papers_no_announcement_today_still_shows_last_list(client, api_store, seeded):
    run = api_store.start_fetch_run(kind="feed", query="cs.LG")
    api_store.finish_fetch_run(run, outcome=FetchOutcome.NO_ANNOUNCEMENT, announce_date=date(2025, 9, 27))
    body = get(client, "/api/papers")
    assert body["announcement"] == "no_announcement"
    assert body["date"] == DAY.isoformat() and body["total"] == 30
    assert "no arXiv announcement on 2025-09-27" in body["message"]
    explicit = get(client, f"/api/papers?date={DAY.isoformat()}")
    assert explicit["announcement"] == "ok"


def test_papers_unreachable_is_reported(client, api_store, seeded):
    run = api_store.start_fetch_run(kind="feed", query="cs.LG")
    api_store.finish_fetch_run(run, outcome=FetchOutcome.UNREACHABLE, message="connection refused")
    body = get(client, "/api/papers")
    assert body["announcement"] == "unreachable"
    assert "connection refused" in body["message"]


def test_papers_keyword_runs_do_not_hide_the_announcement_state(client, api_store, seeded):
    run = api_store.start_fetch_run(kind="keywords", query="compiler")
    api_store.finish_fetch_run(run, outcome=FetchOutcome.UNREACHABLE, message="down")
    assert get(client, "/api/papers")["announcement"] == "ok"


def test_papers_date_never_fetched(client, seeded):
    body = get(client, "/api/papers?date=2025-01-02")
    assert body["announcement"] == "not_fetched"
    assert body["total"] == 0 and body["items"] == []


def test_papers_undo_unknown_paper_is_404(client, seeded):
    response = client.post("/api/papers/2501.99999/undo", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_papers_status_filter_splits_undecided_papers_by_the_library(client, api_store, seeded):
    from tests.server.conftest import seed_library

    ids = [r.paper.arxiv_id for r in seeded]
    seed_library(api_store, in_library={ids[1]: "ITEM0001", ids[4]: "ITEM0004", ids[7]: "ITEM0007"})
    api_store.set_feedback(ids[4], "saved")  # the user's decision wins over the index
    api_store.set_feedback(ids[9], "dismissed")

    in_library = get(client, "/api/papers?status=in_library")
    assert [(m["paper"]["id"], m["item_key"], m["status"]) for m in in_library["items"]] == [
        (ids[1], "ITEM0001", "in_library"), (ids[7], "ITEM0007", "in_library")]
    assert in_library["total"] == 2
    assert [m["rank"] for m in get(client, "/api/papers?status=in_library&offset=1")["items"]] == [8]
    saved = get(client, "/api/papers?status=saved")
    assert [(m["paper"]["id"], m["item_key"]) for m in saved["items"]] == [(ids[4], "ITEM0004")]
    new = get(client, "/api/papers?status=new&limit=500")
    assert new["total"] == 26 and {m["status"] for m in new["items"]} == {"new"}
    assert not {ids[1], ids[4], ids[7], ids[9]} & {m["paper"]["id"] for m in new["items"]}
    first_new = get(client, "/api/papers?status=new&limit=2&offset=1")
    assert [m["rank"] for m in first_new["items"]] == [3, 4] and first_new["total"] == 26


def test_papers_page_is_rebuilt_after_a_commit_from_another_connection(client, api_store, server_config, seeded):
    """The rendered page is reused while the store is unchanged; a commit elsewhere (e.g. a CLI
    `paperfeed daily` in another process) makes the next request rebuild it."""
    from sync.store import Store

    first = client.get("/api/papers?limit=3", headers=AUTH)
    again = client.get("/api/papers?limit=3", headers=AUTH)
    assert again.get_data() == first.get_data()
    other = Store(server_config.store_path)
    other.set_feedback(seeded[0].paper.arxiv_id, "dismissed")
    other.close()
    body = get(client, "/api/papers?limit=3")
    assert body["items"][0]["status"] == "dismissed"


def test_papers_etag_answers_304_when_unchanged(client, seeded):
    first = client.get("/api/papers", headers=AUTH)
    etag = first.headers["ETag"]
    unchanged = client.get("/api/papers", headers={**AUTH, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    client.post(f"/api/papers/{seeded[1].paper.arxiv_id}/dismiss", headers=AUTH)
    changed = client.get("/api/papers", headers={**AUTH, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_papers_newest_day_ranked_with_no_match_is_shown_empty_with_its_reason(client, api_store, seeded):
    """A newer day the rank stage ranked with nothing above the threshold is the day shown (empty,
    with the rank run's reason), not the older day that had matches."""
    later = date(2025, 9, 25)
    papers = sample_papers(14)[10:]
    api_store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=later, source="sample")
    fetch = api_store.start_fetch_run(kind="sample", query="test")
    api_store.finish_fetch_run(fetch, outcome=FetchOutcome.OK, announce_date=later, new=len(papers))
    run = api_store.start_rank_run(day=later, backend="tfidf")
    api_store.save_ranking(later, [], run_id=run)
    api_store.finish_rank_run(run, outcome="ok", candidates=4, ranked=0, library_size=3,
                              message=f"{later}: 0 of 4 papers selected (tfidf, library 3 items); left out: 4 below threshold")
    body = get(client, "/api/papers")
    assert body["date"] == "2025-09-25" and body["total"] == 0 and body["items"] == []
    assert body["announcement"] == "ok"
    assert body["message"] == "none of the 4 papers announced on 2025-09-25 made your list (left out: 4 below threshold)"
