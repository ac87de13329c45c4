"""The library index and the outbox in the store (no network)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sync.models import LibraryCollection, LibraryItem


def _item(key: str, **kw) -> LibraryItem:
    base = dict(title=f"Title {key}", date_added=datetime(2025, 1, 1, tzinfo=timezone.utc), version=1)
    base.update(kw)
    return LibraryItem(key=key, **base)


def test_library_items_round_trip_newest_first(store):
    store.reset_library_index("users/1")
    store.apply_library_page(items=[
        _item("AAAA2222", date_added=datetime(2024, 1, 1, tzinfo=timezone.utc), tags=("ml", "rl"),
              creators=("Ada Lovelace",), arxiv_id="2501.01234"),
        _item("BBBB3333", date_added=datetime(2025, 6, 1, tzinfo=timezone.utc), tags=("ml",)),
    ])
    items = store.library_items()
    assert [i.key for i in items] == ["BBBB3333", "AAAA2222"]
    assert items[1].creators == ("Ada Lovelace",) and items[1].tags == ("ml", "rl")
    assert items[1].date_added == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert store.library_tags() == ["ml", "rl"]


@pytest.mark.parametrize("query, expected", [
    ({"arxiv_id": "2501.01234"}, "AAAA2222"),
    ({"doi": "https://doi.org/10.1000/XYZ"}, "BBBB3333"),
    ({"url": "https://www.example.org/paper/"}, "CCCC4444"),
    ({"arxiv_id": "2501.99999", "doi": "10.9/none"}, None),
    ({}, None),
])
def test_library_find_matches_by_arxiv_id_doi_or_url(store, query, expected):
    store.reset_library_index("users/1")
    store.apply_library_page(items=[
        _item("AAAA2222", arxiv_id="2501.01234"),
        _item("BBBB3333", doi="10.1000/xyz"),
        _item("CCCC4444", url="http://example.org/paper"),
    ])
    assert store.library_find(**query) == expected


def test_library_match_returns_only_held_ids(store):
    store.reset_library_index("users/1")
    store.apply_library_page(items=[_item("AAAA2222", arxiv_id="2501.01234")])
    assert store.library_match(["2501.01234", "2501.00001"]) == {"2501.01234": "AAAA2222"}


def test_library_pull_progress_is_struck_per_page(store):
    store.reset_library_index("users/1")
    store.begin_library_pull(target_version=9, item_keys=["A2222222", "B2222222"], collection_keys=["C2222222"])
    store.apply_library_page(items=[_item("A2222222")], fetched_item_keys=["A2222222"])
    state = store.last_library_sync()
    assert state.in_progress and state.pending_items == ("B2222222",) and state.pending_collections == ("C2222222",)
    store.apply_library_page(collections=[LibraryCollection("C2222222", "Reading")], fetched_collection_keys=["C2222222"],
                             skip_item_keys=["B2222222"], fetched_item_keys=["B2222222"])
    store.finish_library_pull(version=9, result="ok")
    state = store.last_library_sync()
    assert not state.in_progress and state.version == 9
    assert store.library_collection_by_name("reading").key == "C2222222"


def test_outbox_enqueue_is_idempotent_and_merges_tags(store):
    store.enqueue_save("2501.01234", library="users/1", item_key="K2345678", tags=["a"], collection="Reading")
    entry = store.enqueue_save("2501.01234", library="users/1", item_key="K2345678", tags=["b", "a"])
    assert entry.tags == ("a", "b") and entry.collection == "Reading" and entry.status == "pending"
    assert len(store.outbox_entries()) == 1


def test_outbox_retry_keeps_reason_and_done_leaves_queue(store):
    store.enqueue_save("2501.01234", library="users/1", item_key="K2345678")
    store.mark_outbox_retry("2501.01234", error="HTTP 503", next_attempt_at="2999-01-01T00:00:00Z")
    [entry] = store.outbox_entries()
    assert entry.last_error == "HTTP 503" and entry.attempts == 1
    assert store.due_outbox_entries("2025-01-01T00:00:00Z") == []
    assert len(store.due_outbox_entries("2025-01-01T00:00:00Z", force=True)) == 1
    store.mark_outbox_done("2501.01234", outcome="saved", item_key="K2345678")
    assert store.outbox_entries() == [] and store.outbox_entry("2501.01234").outcome == "saved"


def test_assign_citation_key_is_stable_and_collision_free(store):
    assert store.assign_citation_key("2501.00001", ["smith2025deep", "smith2025deepa"]) == "smith2025deep"
    assert store.assign_citation_key("2501.00002", ["smith2025deep", "smith2025deepa"]) == "smith2025deepa"
    assert store.assign_citation_key("2501.00001", ["other"]) == "smith2025deep"
