"""The bundled sample library looks like a real Zotero library: tags and collections by a fixed
rule (sync/sample_data/README.md), so the sample day's top matches carry suggestions."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli
from sync.sample import SAMPLE_DATE, sample_collections, sample_library
from sync.store import Store


def test_sample_library_items_have_tags_and_one_known_collection():
    items = sample_library()
    keys = {c.key for c in sample_collections()}
    assert all(item.collections and set(item.collections) <= keys for item in items)
    assert all(1 <= len(item.tags) <= 3 for item in items)
    used = {key for item in items for key in item.collections}
    assert used == keys, "every collection holds papers"
    parents = {c.parent_key for c in sample_collections() if c.parent_key}
    assert parents <= keys and parents, "one nested level, parents exist"
    assert sample_library() == items, "the rule is deterministic"


def test_sample_day_top_matches_carry_suggested_tags_and_a_collection():
    result = CliRunner().invoke(cli, ["daily"])
    assert result.exit_code == 0, result.output
    store = Store(Path(os.environ["PAPERFEED_STORAGE_DATA_DIR"]) / "paperfeed.sqlite3")
    try:
        top = store.ranked_papers(SAMPLE_DATE, limit=5)
    finally:
        store.close()
    assert len(top) == 5
    names = {c.key: c.name for c in sample_collections()}
    for ranked in top:
        assert ranked.tags, f"{ranked.paper.arxiv_id} has no suggested tags"
        assert ranked.collection in names, f"{ranked.paper.arxiv_id} suggests {ranked.collection!r}"
