"""Every part of the store, on both engines (SQLite and a real PostgreSQL server), same answers.

Each test runs twice through the ``engine_store`` fixture (tests/conftest.py). The PostgreSQL-only
tests at the end check what only a lab server has: one schema per user beside the shared tables.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from sync.errors import InvalidInputError
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, LibraryCollection, LibraryItem, Paper
from sync.store import Store
from sync.store.rankings import RankingRow

DAY = date(2025, 9, 24)
NOW = datetime(2025, 9, 24, 20, 30, tzinfo=timezone.utc)


def _papers(n: int, prefix: str = "2509.1") -> list[Paper]:
    return [Paper(f"{prefix}{i:04d}", f"Paper {i} on 100% % ? 'quoted' things", (f"Author {i}",), f"Abstract {i}",
                  ("cs.DC",)) for i in range(n)]


def _seed(store: Store, papers: list[Paper], day: date = DAY) -> None:
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=day,
                         source="feed")


def test_papers_announcements_and_keyword_hits(engine_store):
    store = engine_store
    papers = _papers(3)
    _seed(store, papers)
    _seed(store, papers)  # the same day again: nothing new
    assert store.count_papers() == 3
    assert [p.arxiv_id for p in store.announced_papers(DAY)] == sorted((p.arxiv_id for p in papers), reverse=True)
    assert store.get_paper(papers[0].arxiv_id).title == papers[0].title  # '%', '?' and quotes survive
    assert store.announcement_dates() == [DAY]
    assert store.announcement_sources(DAY) == {"feed"}
    assert store.record_keyword_hits("gpu", [papers[0].arxiv_id, papers[1].arxiv_id], on=DAY) == 2
    assert store.record_keyword_hits("gpu", [papers[0].arxiv_id], on=DAY) == 0
    assert {p.arxiv_id for p in store.keyword_papers("gpu")} == {papers[0].arxiv_id, papers[1].arxiv_id}
    assert store.remember_papers(_papers(2, "2401.9")) == 2
    assert store.remember_papers(_papers(2, "2401.9")) == 0
    assert set(store.get_papers([papers[2].arxiv_id, "2401.90001"])) == {papers[2].arxiv_id, "2401.90001"}


def test_fetch_runs(engine_store):
    store = engine_store
    first = store.start_fetch_run(kind="feed", query="cs.DC")
    second = store.start_fetch_run(kind="keywords", query="gpu")
    assert second > first
    store.finish_fetch_run(first, outcome=FetchOutcome.OK, announce_date=DAY, new=3, message="fine")
    last = store.last_fetch_run("feed")
    assert (last.id, last.outcome, last.announce_date, last.new_count) == (first, FetchOutcome.OK, DAY, 3)
    assert [r.id for r in store.fetch_runs()] == [second, first]


def test_latest_ranked_day_counts_a_day_ranked_with_no_match(engine_store):
    store = engine_store
    assert store.latest_ranked_day() is None and store.rank_run_for(DAY) is None
    papers = _papers(2)
    _seed(store, papers)
    store.save_ranking(DAY, [RankingRow(papers[0].arxiv_id, 0.8, "r")])
    later = DAY + timedelta(days=1)
    failed = store.start_rank_run(day=later + timedelta(days=1), backend="tfidf")
    store.finish_rank_run(failed, outcome="error", message="boom")  # a failed run ranks nothing
    run = store.start_rank_run(day=later, backend="tfidf")
    store.save_ranking(later, [], run_id=run)
    store.finish_rank_run(run, outcome="ok", candidates=7, ranked=0, message="left out: 7 below threshold")
    assert store.latest_ranking_date() == DAY  # the newest day with rows
    assert store.latest_ranked_day() == later  # the newest day the rank stage finished
    found = store.rank_run_for(later)
    assert found.id == run and found.candidates == 7 and found.outcome == "ok"
    assert store.rank_run_for(later + timedelta(days=1)) is None


def test_rankings_feedback_and_rank_runs(engine_store):
    store = engine_store
    papers = _papers(4)
    _seed(store, papers)
    run = store.start_rank_run(day=DAY, backend="tfidf")
    rows = [RankingRow(p.arxiv_id, 0.9 - i / 10, f"reason {i}", tags=("ml",), collection="C1" if i == 0 else None)
            for i, p in enumerate(papers)]
    assert store.save_ranking(DAY, rows, run_id=run) == 4
    store.finish_rank_run(run, outcome="ok", candidates=4, ranked=4, library_size=10)
    assert store.last_rank_run().outcome == "ok"
    ranked = store.ranked_papers(DAY)
    assert [r.paper.arxiv_id for r in ranked] == [p.arxiv_id for p in papers]
    assert ranked[0].tags == ("ml",) and ranked[0].collection == "C1" and ranked[0].score == pytest.approx(0.9)
    store.set_feedback(papers[1].arxiv_id, "saved")
    store.set_feedback(papers[1].arxiv_id, "dismissed")  # latest wins
    store.set_feedback(papers[2].arxiv_id, "saved")
    assert store.feedback() == {papers[1].arxiv_id: "dismissed", papers[2].arxiv_id: "saved"}
    assert store.count_ranked(DAY, status="new") == 2
    assert [r.paper.arxiv_id for r in store.ranked_papers(status="saved")] == [papers[2].arxiv_id]
    assert store.count_ranked(min_score=0.75) == 2
    assert store.clear_feedback(papers[2].arxiv_id) and not store.clear_feedback(papers[2].arxiv_id)
    assert store.latest_ranking_date() == DAY and store.ranking_dates() == [DAY]
    assert store.shown_before(DAY + timedelta(days=1)) == {p.arxiv_id for p in papers}
    assert store.ranked_paper(papers[3].arxiv_id).rank == 4
    with pytest.raises(InvalidInputError):
        store.save_ranking(DAY, [RankingRow(papers[0].arxiv_id, 1.5, "")])
    assert store.count_ranked(DAY) == 4  # the failed save changed nothing
    store.clear_ranking(DAY)
    assert store.ranked_papers() == [] and store.count_ranked() == 0


def test_embedding_cache_roundtrip(engine_store):
    store = engine_store
    vectors = {"h1": np.arange(4, dtype="<f4"), "h2": np.ones(4, dtype="<f4")}
    store.put_embeddings(vectors, "m")
    store.put_embeddings({"h1": np.full(4, 2.0, dtype="<f4")}, "m")  # replaced
    found = store.get_embeddings(["h1", "h2", "h3"], "m")
    assert set(found) == {"h1", "h2"} and found["h1"].tolist() == [2.0] * 4
    assert store.count_embeddings() == 2 and store.count_embeddings("other") == 0


def test_library_index(engine_store):
    store = engine_store
    store.reset_library_index("users/1")
    store.begin_library_pull(target_version=5, item_keys=["A", "B", "C"], collection_keys=["K1"])
    items = [LibraryItem("A", "Alpha", tags=("gpu", "hpc"), arxiv_id="2509.10000", date_added=NOW),
             LibraryItem("B", "Beta", tags=("gpu",), doi="10.1/X", url="https://www.example.org/b/"),
             LibraryItem("C", "Gamma", tags=("Zeta",), date_added=NOW - timedelta(days=1))]
    store.apply_library_page(items=items, collections=[LibraryCollection("K1", "Systems"),
                                                       LibraryCollection("K2", "apps", parent_key="K1")],
                             fetched_item_keys=["A", "B"], fetched_collection_keys=["K1"], citation_keys={"A": "alpha2025"})
    state = store.last_library_sync()
    assert state.in_progress and state.pending_items == ("C",)
    store.finish_library_pull(version=5, result="ok")
    assert not store.last_library_sync().in_progress and store.last_library_sync().version == 5
    assert [i.key for i in store.library_items()] == ["A", "C", "B"]
    assert store.library_tags() == ["gpu", "hpc", "Zeta"]
    assert store.library_match(["2509.10000", "2509.19999"]) == {"2509.10000": "A"}
    assert store.library_find(doi="https://doi.org/10.1/x") == "B"
    assert store.library_find(url="http://example.org/b") == "B"
    assert [c.name for c in store.library_collections()] == ["apps", "Systems"]
    assert store.library_collection_by_name("SYSTEMS").key == "K1"
    assert store.library_citation_keys() == {"alpha2025"}
    store.index_saved_item(LibraryItem("A", "Alpha v2", arxiv_id="2509.10000"))  # upsert, no duplicate
    assert store.count_library_items() == 3 and store.library_item("A").title == "Alpha v2"
    store.begin_library_pull(target_version=6, item_keys=[], collection_keys=[], deleted_items=["B"])
    assert store.count_library_items() == 2


def test_outbox_and_citation_keys(engine_store):
    store = engine_store
    papers = _papers(2)
    _seed(store, papers)
    pid = papers[0].arxiv_id
    entry = store.enqueue_save(pid, library="users/1", item_key="K1", tags=["a"], collection="C")
    assert entry.status == "pending" and entry.tags == ("a",)
    entry = store.enqueue_save(pid, library="users/1", item_key="K1", tags=["b"])
    assert entry.tags == ("a", "b") and entry.collection == "C"
    assert [e.arxiv_id for e in store.due_outbox_entries("2000-01-01T00:00:00Z")] == [pid]
    store.mark_outbox_retry(pid, error="503", next_attempt_at="2999-01-01T00:00:00Z")
    assert store.due_outbox_entries("2025-01-01T00:00:00Z") == []
    assert store.outbox_entry(pid).attempts == 1
    store.mark_outbox_done(pid, outcome="saved", item_key="K1")
    assert store.count_outbox("done") == 1 and store.outbox_entries() == []
    assert len(store.outbox_entries(include_done=True)) == 1
    assert store.assign_citation_key(pid, ["smith2025", "smith2025a"]) == "smith2025"
    assert store.assign_citation_key(papers[1].arxiv_id, ["smith2025", "smith2025a"]) == "smith2025a"
    assert store.assign_citation_key(pid, ["other"]) == "smith2025"


def test_locks_cycle_runs_and_deliveries(engine_store):
    store = engine_store
    assert store.try_acquire_lock("daily", token="t1", pid=1, host="h", ttl_seconds=60, now=NOW) is None
    holder = store.try_acquire_lock("daily", token="t2", pid=2, host="h", ttl_seconds=60, now=NOW)
    assert holder.token == "t1"
    assert store.try_acquire_lock("daily", token="t1", pid=1, host="h", ttl_seconds=60, now=NOW) is None  # re-entry
    later = NOW + timedelta(seconds=120)  # t1 expired: taken over
    assert store.try_acquire_lock("daily", token="t2", pid=2, host="h", ttl_seconds=60, now=later) is None
    assert not store.refresh_lock("daily", token="t1", ttl_seconds=60, now=later)
    assert not store.release_lock("daily", token="t1")
    assert store.release_lock("daily", token="t2") and store.lock_holder("daily") is None
    run = store.start_cycle_run(day=DAY, sample=True)
    store.finish_cycle_run(run, status="ok", day=DAY, steps=[{"name": "fetch", "status": "ok"}])
    last = store.last_cycle_run()
    assert (last.id, last.status, last.sample, last.steps[0]["name"]) == (run, "ok", True, "fetch")
    assert store.delivery_fingerprint(DAY, "daily", "email") is None
    store.record_delivery(DAY, "daily", "email", "f1")
    store.record_delivery(DAY, "daily", "email", "f2")
    assert store.delivery_fingerprint(DAY, "daily", "email") == "f2"


def test_lock_is_taken_by_exactly_one_of_many_threads(engine_store):
    store = engine_store
    results = []

    def contend(n: int) -> None:
        results.append(store.try_acquire_lock("race", token=f"t{n}", pid=n, host="h", ttl_seconds=60, now=NOW))
        store.close()

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(None) == 1


# PostgreSQL only: users' schemas -------------------------------------------------------------
def test_postgres_users_share_papers_but_not_their_own_tables(pg_url):
    alice, bob = Store(pg_url, user_id=1), Store(pg_url, user_id=2)
    papers = _papers(2)
    _seed(alice, papers)  # the fetch is shared: bob sees the papers too
    assert bob.count_papers() == 2
    alice.save_ranking(DAY, [RankingRow(papers[0].arxiv_id, 0.8, "alice's reason")])
    alice.set_feedback(papers[0].arxiv_id, "saved")
    alice.apply_library_page(items=[LibraryItem("A", "Alice's item")])
    assert bob.ranked_papers(DAY) == [] and bob.feedback() == {} and bob.library_items() == []
    assert [r.status for r in alice.ranked_papers(DAY)] == ["saved"]
    assert set(alice.query("SELECT current_schemas(false)")[0][0]) >= {"user_1", "public"}
    single = Store(pg_url)  # no user: its own schema too
    assert single.schema == "single_user" and single.ranked_papers(DAY) == []
    for s in (alice, bob, single):
        s.close()


def test_postgres_token_lookup_returns_the_users_change_marker_and_sees_revocation_at_once(pg_url):
    admin = Store(pg_url)
    alice_user = admin.add_user("alice", token_hash="a" * 64)
    bob_user = admin.add_user("bob", token_hash="b" * 64)
    alice, bob = admin.user_store(alice_user.id), admin.user_store(bob_user.id)
    user, marker = admin.user_and_marker_by_token_hash("a" * 64)
    assert user.name == "alice" and marker == alice.change_marker()
    assert admin.user_by_token_hash("b" * 64).name == "bob"
    _seed(alice, _papers(1))  # shared papers: everyone's marker moves
    shared_moved = admin.user_and_marker_by_token_hash("a" * 64)[1]
    assert shared_moved != marker and shared_moved == alice.change_marker()
    alice.set_feedback(_papers(1)[0].arxiv_id, "saved")  # alice's own table: only hers
    moved = admin.user_and_marker_by_token_hash("a" * 64)[1]
    assert moved != shared_moved and moved == alice.change_marker()
    bob_marker = admin.user_and_marker_by_token_hash("b" * 64)[1]
    alice.set_feedback(_papers(1)[0].arxiv_id, "dismissed")
    assert admin.user_and_marker_by_token_hash("b" * 64)[1] == bob_marker == bob.change_marker()
    # whichever user's schema the thread's connection is on, the lookup reads the right rows
    assert bob.ranked_papers(DAY) == [] and admin.user_and_marker_by_token_hash("a" * 64)[0].name == "alice"
    admin.set_user_token_hash("alice", "c" * 64)  # rotated: the old hash is refused at once
    assert admin.user_and_marker_by_token_hash("a" * 64) is None
    assert admin.user_and_marker_by_token_hash("c" * 64)[0].name == "alice"
    admin.remove_user("bob")
    assert admin.user_and_marker_by_token_hash("b" * 64) is None
    for s in (alice, bob, admin):
        s.close()


def test_postgres_change_marker_is_per_user_but_moves_with_shared_writes(pg_url):
    alice, bob = Store(pg_url, user_id=1), Store(pg_url, user_id=2)
    _seed(alice, _papers(1))
    before_bob = bob.change_marker()
    alice.set_feedback(_papers(1)[0].arxiv_id, "saved")  # alice's own table
    assert bob.change_marker() == before_bob
    _seed(alice, _papers(1, "2509.2"))  # shared papers changed: bob's pages may change
    assert bob.change_marker() != before_bob
    alice.close()
    bob.close()
