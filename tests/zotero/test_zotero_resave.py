"""Saving again a paper the user deleted from Zotero: it is saved anew, never "already in library"."""

from __future__ import annotations

from tests.zotero.helpers import make_paper, store_papers

from sync.library_sync import pull_library
from sync.saving.accept import save_paper


def _parents(server):
    return [i for i in server.library().items.values() if not i.get("parentItem")]


def test_save_paper_after_the_item_was_deleted_in_zotero_saves_it_again(store, zconfig, zotero_server):
    store_papers(store, [make_paper(3)])
    first = save_paper(store, zconfig, "2501.00003", tags=("to read",))
    assert first.status == "saved"
    pull_library(store, zconfig)
    zotero_server.library().delete_item(first.item_key)  # the user deletes it in Zotero
    pull_library(store, zconfig)  # paperfeed learns of the deletion
    assert store.library_match(["2501.00003"]) == {}

    again = save_paper(store, zconfig, "2501.00003", tags=("second look",))
    assert again.status == "saved", again.message
    [item] = _parents(zotero_server)
    assert item["key"] == again.item_key
    assert {t["tag"] for t in item["tags"] if not t.get("type")} == {"second look"}
    entry = store.outbox_entry("2501.00003")
    assert entry.status == "done" and entry.attempts == 1 and entry.last_error == ""
    assert save_paper(store, zconfig, "2501.00003").status == "already_in_library"
    assert len(_parents(zotero_server)) == 1


def test_save_paper_done_and_still_in_library_sends_nothing(store, zconfig, zotero_server):
    store_papers(store, [make_paper(4)])
    assert save_paper(store, zconfig, "2501.00004").status == "saved"
    pull_library(store, zconfig)
    posts = zotero_server.state.count("POST")
    result = save_paper(store, zconfig, "2501.00004", tags=("x",))
    assert result.status == "already_in_library"
    assert zotero_server.state.count("POST") == posts
