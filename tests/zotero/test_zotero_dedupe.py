"""Dedupe against Zotero itself, not just the local index (real HTTP against the local Zotero server).

Regression: a paper saved with the Zotero Connector (or by hand) since the last sync was saved a
second time: the check only looked at the local index. Now the push writes conditionally
(If-Unmodified-Since-Version = the index's version): a library changed since makes Zotero refuse
(412), the incremental pull runs, and the paper is recognised in whatever form it carries its id.
"""

from __future__ import annotations

import pytest
from tests.zotero.helpers import make_paper, store_papers

from sync.library_sync import pull_library
from sync.saving.accept import save_paper
from sync.saving.push import push_outbox


def _connector_item(arxiv_id: str, **fields) -> dict:
    """What Zotero's arXiv translator (the Connector) saves, with the server's own key."""
    return {"itemType": "preprint", "title": "Saved with the Connector",
            "creators": [{"creatorType": "author", "firstName": "Ada", "lastName": "Lovelace"}],
            "tags": [], "collections": [], "relations": {}, **fields}


FORMS = {
    "archiveID": {"archiveID": "arXiv:{id}", "repository": "arXiv"},
    "doi": {"DOI": "10.48550/arXiv.{id}"},
    "versioned url": {"url": "https://arxiv.org/abs/{id}v2"},
    "versionless url": {"url": "http://arxiv.org/abs/{id}"},
    "extra": {"extra": "arXiv:{id} [cs.DC]"},
    "extra, inside a line": {"extra": "Preprint arXiv:{id}v1"},
}


def _parents(server) -> list[dict]:
    return [i for i in server.library().items.values() if not i.get("parentItem")]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_connector_item_added_after_the_last_sync_is_not_saved_again(store, zconfig, zotero_server, form):
    store_papers(store, [make_paper(100)])
    pull_library(store, zconfig)  # the index is current ... then the Connector saves the paper
    fields = {k: v.format(id="2501.00100") for k, v in FORMS[form].items()}
    connector_key = zotero_server.library().add_item(_connector_item("2501.00100", **fields))
    before = zotero_server.state.count()
    result = save_paper(store, zconfig, "2501.00100")
    assert result.status == "already_in_library" and result.item_key == connector_key
    assert [i["key"] for i in _parents(zotero_server)] == [connector_key]  # no second item
    # the refused conditional write, the incremental pull (versions, collections, deleted, items)
    assert zotero_server.state.count("POST") == 1
    assert zotero_server.state.count() - before <= 5
    assert store.outbox_entry("2501.00100").outcome == "already_in_library"


def test_connector_item_in_a_never_synced_index_is_found_by_the_first_pull(store, zconfig, zotero_server):
    store_papers(store, [make_paper(100)])
    connector_key = zotero_server.library().add_item(
        _connector_item("2501.00100", archiveID="arXiv:2501.00100"))
    result = save_paper(store, zconfig, "2501.00100")
    assert result.status == "already_in_library" and result.item_key == connector_key
    assert len(_parents(zotero_server)) == 1 and zotero_server.state.count("POST") == 0


def test_unchanged_library_costs_no_extra_request_per_save(store, zconfig, zotero_server):
    """The conditional write is the freshness check: one request per click, as before."""
    store_papers(store, [make_paper(n) for n in range(1, 6)])
    pull_library(store, zconfig)
    before = zotero_server.state.count()
    results = [save_paper(store, zconfig, f"2501.{n:05d}") for n in range(1, 6)]
    assert [r.status for r in results] == ["saved"] * 5
    assert zotero_server.state.count() - before == 5
    posts = [p for m, p, _ in zotero_server.state.requests if m == "POST"]
    assert len(posts) == 5
    # and the index moved along with our own writes: the next pull is one 304
    assert pull_library(store, zconfig).unchanged


def test_queued_saves_are_checked_against_zotero_before_the_push(store, zconfig, zotero_server):
    store_papers(store, [make_paper(n) for n in (7, 8)])
    pull_library(store, zconfig)
    zotero_server.add_fault(503, method="POST", count=2, headers={"Retry-After": "3600"})
    assert save_paper(store, zconfig, "2501.00007").status == "queued"
    assert save_paper(store, zconfig, "2501.00008").status == "queued"
    connector_key = zotero_server.library().add_item(
        _connector_item("2501.00008", DOI="10.48550/arXiv.2501.00008"))
    pushed = push_outbox(store, zconfig, force=True)
    assert pushed.saved == 1 and pushed.already_in_library == 1
    assert pushed.results["2501.00008"].item_key == connector_key
    assert sorted(i.get("archiveID", i.get("DOI")) for i in _parents(zotero_server)) == [
        "10.48550/arXiv.2501.00008", "arXiv:2501.00007"]
