"""The SQLite store: migrations, and how papers are keyed, updated and never duplicated."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date

import pytest

from sync.errors import StorageError
from sync.models import AnnouncementEntry, AnnounceType, Paper
from sync.store import Store
from sync.store.base import available_migrations

DAY = date(2025, 9, 24)
PAPER = Paper("2509.00001", "A title", ("Ada Lovelace", "Alan Turing"), "An abstract.", ("cs.DC", "cs.PL"))


def test_store_migrations_are_numbered_and_applied_once(tmp_path):
    numbers = [number for number, _, _ in available_migrations()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    path = tmp_path / "s.sqlite3"
    first = Store(path)
    assert first.schema_version() == numbers[-1]
    first.close()
    again = Store(path)  # re-opening applies nothing twice
    assert again.query("SELECT count(*) FROM schema_migrations")[0][0] == len(numbers)


def test_store_uses_wal_and_foreign_keys(store):
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA foreign_keys")[0][0] == 1


def test_store_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError):
        Store(path)


def test_store_new_version_updates_without_duplicating(store):
    store.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=DAY, source="feed")
    v2 = dataclasses.replace(PAPER, version=2, title="A better title", comment="v2: fixed typos")
    result = store.upsert_entries([AnnouncementEntry(v2, AnnounceType.REPLACE)], announce_date=date(2025, 9, 30),
                                  source="feed")
    assert (result.inserted, result.updated) == (0, 1)
    assert store.count_papers() == 1
    stored = store.get_paper(PAPER.arxiv_id)
    assert (stored.version, stored.title, stored.comment) == (2, "A better title", "v2: fixed typos")
    assert stored.announce_date == DAY  # a replacement does not make it new again
    assert [p.arxiv_id for p in store.announced_papers(date(2025, 9, 30), types=("new", "cross"))] == []


def test_store_older_version_never_overwrites_newer(store):
    v3 = dataclasses.replace(PAPER, version=3, title="Third")
    store.upsert_entries([AnnouncementEntry(v3, AnnounceType.NEW)], announce_date=DAY, source="feed")
    store.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=DAY, source="backfill")
    assert store.get_paper(PAPER.arxiv_id).title == "Third"


def test_store_fills_missing_fields_from_other_sources(store):
    bare = dataclasses.replace(PAPER, abstract="")
    store.upsert_entries([AnnouncementEntry(bare, AnnounceType.NEW)], announce_date=DAY, source="feed")
    store.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=None, source="keyword")
    assert store.get_paper(PAPER.arxiv_id).abstract == "An abstract."


def test_store_failed_batch_is_rolled_back(store):
    good = AnnouncementEntry(PAPER, AnnounceType.NEW)
    bad = AnnouncementEntry(dataclasses.replace(PAPER, arxiv_id="2509.00002", title=None), AnnounceType.NEW)
    with pytest.raises(sqlite3.IntegrityError):
        store.upsert_entries([good, bad], announce_date=DAY, source="feed")
    assert store.count_papers() == 0
    assert store.query("SELECT count(*) FROM announcements")[0][0] == 0


def test_paper_merged_with_prefers_newer_version_and_keeps_known_fields():
    feed = dataclasses.replace(PAPER, version=2, comment=None)
    api = dataclasses.replace(PAPER, version=2, comment="12 pages", journal_ref="J. Foo 1 (2025)")
    merged = feed.merged_with(api)
    assert (merged.comment, merged.journal_ref, merged.title) == ("12 pages", "J. Foo 1 (2025)", "A title")


def test_store_change_marker_moves_on_every_commit_from_any_connection(tmp_path):
    path = tmp_path / "s.sqlite3"
    reader, writer = Store(path), Store(path)
    before = reader.change_marker()
    assert reader.change_marker() == before  # reading changes nothing
    writer.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=DAY, source="feed")
    after_other = reader.change_marker()
    assert after_other != before  # another connection (thread or process) committed
    reader.set_feedback(PAPER.arxiv_id, "dismissed")
    assert reader.change_marker() != after_other  # this object committed
