"""The store on both engines: migrations, and how papers are keyed, updated and never duplicated.

Tests taking ``engine_store`` / ``store_target`` run once on SQLite and once on a real PostgreSQL
server (see tests/conftest.py); the rest are about SQLite itself.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from sync.errors import StorageError
from sync.models import AnnouncementEntry, AnnounceType, Paper
from sync.store import Store
from sync.store.base import available_migrations

DAY = date(2025, 9, 24)
PAPER = Paper("2509.00001", "A title", ("Ada Lovelace", "Alan Turing"), "An abstract.", ("cs.DC", "cs.PL"))


def test_store_migrations_are_numbered_and_applied_once(store_target):
    dialect = "postgresql" if str(store_target).startswith("postgresql://") else "sqlite"
    numbers = [number for number, _, _ in available_migrations(dialect)]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    first = Store(store_target)
    assert first.schema_version() == numbers[-1]
    first.close()
    again = Store(store_target)  # re-opening applies nothing twice
    assert again.query("SELECT count(*) FROM schema_migrations")[0][0] == len(numbers)
    again.close()


def test_every_sqlite_migration_has_a_postgresql_twin():
    sqlite = [name for _, name, _ in available_migrations()]
    postgres = [name for _, name, _ in available_migrations("postgresql")]
    assert set(sqlite) <= set(postgres)
    assert set(postgres) - set(sqlite) == {"0008_users.sql", "0009_user_changes.sql"}  # lab server only


def test_store_uses_wal_and_foreign_keys(store):
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA foreign_keys")[0][0] == 1


def test_store_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError):
        Store(path)


def test_store_new_version_updates_without_duplicating(engine_store):
    store = engine_store
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


def test_store_older_version_never_overwrites_newer(engine_store):
    store = engine_store
    v3 = dataclasses.replace(PAPER, version=3, title="Third")
    store.upsert_entries([AnnouncementEntry(v3, AnnounceType.NEW)], announce_date=DAY, source="feed")
    store.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=DAY, source="backfill")
    assert store.get_paper(PAPER.arxiv_id).title == "Third"


def test_store_fills_missing_fields_from_other_sources(engine_store):
    store = engine_store
    bare = dataclasses.replace(PAPER, abstract="")
    store.upsert_entries([AnnouncementEntry(bare, AnnounceType.NEW)], announce_date=DAY, source="feed")
    store.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=None, source="keyword")
    assert store.get_paper(PAPER.arxiv_id).abstract == "An abstract."


def test_store_failed_batch_is_rolled_back(engine_store):
    store = engine_store
    good = AnnouncementEntry(PAPER, AnnounceType.NEW)
    bad = AnnouncementEntry(dataclasses.replace(PAPER, arxiv_id="2509.00002", title=None), AnnounceType.NEW)
    with pytest.raises(store.IntegrityError):
        store.upsert_entries([good, bad], announce_date=DAY, source="feed")
    assert store.count_papers() == 0
    assert store.query("SELECT count(*) FROM announcements")[0][0] == 0


def test_paper_merged_with_prefers_newer_version_and_keeps_known_fields():
    feed = dataclasses.replace(PAPER, version=2, comment=None)
    api = dataclasses.replace(PAPER, version=2, comment="12 pages", journal_ref="J. Foo 1 (2025)")
    merged = feed.merged_with(api)
    assert (merged.comment, merged.journal_ref, merged.title) == ("12 pages", "J. Foo 1 (2025)", "A title")


def test_store_change_marker_moves_on_every_commit_from_any_connection(store_target):
    reader, writer = Store(store_target), Store(store_target)
    before = reader.change_marker()
    assert reader.change_marker() == before  # reading changes nothing
    writer.upsert_entries([AnnouncementEntry(PAPER, AnnounceType.NEW)], announce_date=DAY, source="feed")
    after_other = reader.change_marker()
    assert after_other != before  # another connection (thread or process) committed
    reader.set_feedback(PAPER.arxiv_id, "dismissed")
    assert reader.change_marker() != after_other  # this object committed
