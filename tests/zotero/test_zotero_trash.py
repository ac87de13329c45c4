"""The Zotero trash: a trashed item is not "in your library"; restoring it, or saving it again, brings it back.

Zotero's API leaves trashed items out of ``/items`` unless ``includeTrashed=1``, and lists them
under ``/deleted`` only once the trash is emptied; the local server behaves the same way.
"""

from __future__ import annotations

from tests.zotero.helpers import make_paper, store_papers

from sync.library_sync import pull_library
from sync.saving.accept import save_paper
from sync.saving.push import push_outbox
from sync.zotero.keys import item_key


def _parents(server):
    return [i for i in server.library().items.values() if not i.get("parentItem")]


def test_library_pull_trashed_item_leaves_the_index_and_restored_item_returns(store, zconfig, zotero_server):
    lib = zotero_server.library()
    kept = lib.add_item({"itemType": "preprint", "title": "Kept", "url": "http://arxiv.org/abs/2501.00200"})
    binned = lib.add_item({"itemType": "preprint", "title": "Binned", "url": "http://arxiv.org/abs/2501.00201",
                           "DOI": "10.1145/9.9"})
    pull_library(store, zconfig)
    assert store.library_match(["2501.00200", "2501.00201"]) == {"2501.00200": kept, "2501.00201": binned}

    lib.trash_item(binned)  # the user moves it to the trash in Zotero
    summary = pull_library(store, zconfig)
    assert summary.items_trashed == 1 and "1 in the Zotero trash left out" in summary.line()
    assert store.library_match(["2501.00200", "2501.00201"]) == {"2501.00200": kept}
    assert [i.key for i in store.library_items()] == [kept] and store.count_library_items() == 1
    assert store.library_find(doi="10.1145/9.9") is None and store.library_item(binned) is None

    unchanged = pull_library(store, zconfig)
    assert unchanged.unchanged and unchanged.requests == 1 and zotero_server.state.requests[-1][2] == 304

    lib.restore_item(binned)  # and back out of the trash
    restored = pull_library(store, zconfig)
    assert restored.items_updated == 1 and restored.items_trashed == 0
    assert store.library_match(["2501.00201"]) == {"2501.00201": binned}
    assert store.library_item(binned).version == lib.items[binned]["version"]


def test_library_pull_first_pull_leaves_out_items_already_in_the_trash(store, zconfig, zotero_server):
    lib = zotero_server.library()
    live = lib.add_item({"itemType": "book", "title": "Live"})
    lib.add_item({"itemType": "book", "title": "Trashed", "deleted": 1})
    summary = pull_library(store, zconfig)
    assert (summary.items_updated, summary.items_trashed) == (1, 1)
    assert [i.key for i in store.library_items()] == [live]


def test_zotero_server_lists_trashed_items_only_with_include_trashed(zotero_server):
    import httpx2

    lib = zotero_server.library()
    key = lib.add_item({"itemType": "book", "title": "T"})
    before = lib.version
    lib.trash_item(key)
    assert lib.version == before + 1 and lib.items[key]["deleted"] == 1 and key not in lib.deleted_items
    url = f"{zotero_server.url}/users/1/items/top"
    headers = {"Zotero-API-Key": "test-api-key"}
    for params, listed in (({"format": "versions"}, {}), ({"format": "versions", "includeTrashed": "1"},
                                                          {key: lib.version})):
        assert httpx2.get(url, params=params, headers=headers).json() == listed
    by_key = httpx2.get(f"{zotero_server.url}/users/1/items", params={"itemKey": key}, headers=headers).json()
    assert by_key == []
    single = httpx2.get(f"{zotero_server.url}/users/1/items/{key}", headers=headers).json()
    assert single["data"]["deleted"] == 1


def test_save_paper_whose_item_is_in_the_trash_restores_it(store, zconfig, zotero_server):
    store_papers(store, [make_paper(21)])
    first = save_paper(store, zconfig, "2501.00021", tags=("to read",), collection="Reading")
    assert first.status == "saved"
    pull_library(store, zconfig)
    zotero_server.library().trash_item(first.item_key)
    pull_library(store, zconfig)  # paperfeed learns it is in the trash: no longer "in your library"
    assert store.library_match(["2501.00021"]) == {}

    again = save_paper(store, zconfig, "2501.00021", tags=("second look",), collection="Later")
    assert (again.status, again.item_key) == ("saved", first.item_key), again.message
    assert "restored from the Zotero trash" in again.message
    [item] = _parents(zotero_server)
    assert "deleted" not in item  # out of the trash, not a second copy
    assert {t["tag"] for t in item["tags"] if not t.get("type")} == {"to read", "second look"}
    names = {c["key"]: c["name"] for c in zotero_server.library().collections.values()}
    assert sorted(names[k] for k in item["collections"]) == ["Later", "Reading"]
    assert store.library_match(["2501.00021"]) == {"2501.00021": first.item_key}
    assert store.outbox_entry("2501.00021").status == "done"
    assert save_paper(store, zconfig, "2501.00021").status == "already_in_library"
    assert pull_library(store, zconfig).total_items == 1


def test_push_outbox_restores_trashed_item_and_its_trashed_children(store, zconfig, zotero_server):
    """The item was saved from elsewhere (same deterministic key) and trashed there, with its children."""
    store_papers(store, [make_paper(22)])
    assert save_paper(store, zconfig, "2501.00022").status == "saved"
    key = item_key("users/1", "2501.00022")
    lib = zotero_server.library()
    for child in lib.children(key):
        lib.trash_item(child["key"])
    lib.trash_item(key)
    store.enqueue_save("2501.00022", library="users/1", item_key=key, reopen=True)  # a second device's accept
    summary = push_outbox(store, zconfig, force=True)
    assert (summary.saved, summary.already_in_library, summary.queued) == (1, 0, 0)
    assert summary.results["2501.00022"].message == f"restored from the Zotero trash as item {key}"
    assert not any(i.get("deleted") for i in lib.items.values())
    assert len(_parents(zotero_server)) == 1


def test_push_outbox_item_that_exists_outside_the_trash_stays_already_in_library(store, zconfig, zotero_server):
    store_papers(store, [make_paper(23)])
    key = item_key("users/1", "2501.00023")
    zotero_server.library().add_item({"key": key, "itemType": "preprint", "title": "From another device",
                                      "extra": "arXiv:2501.00023 [cs.DC]"})
    result = save_paper(store, zconfig, "2501.00023")
    assert (result.status, result.item_key) == ("already_in_library", key)
    assert zotero_server.state.count("POST", "/items") == 1  # the save itself; no restore
    assert zotero_server.library().items[key]["title"] == "From another device"
    assert store.library_item(key).title == "From another device"  # indexed as Zotero has it


def test_save_paper_trash_check_failing_keeps_the_paper_queued(store, zconfig, zotero_server):
    store_papers(store, [make_paper(24)])
    key = item_key("users/1", "2501.00024")
    zotero_server.library().add_item({"key": key, "itemType": "preprint", "title": "x", "deleted": 1})
    zotero_server.add_fault(503, method="GET", path="/items", count=10)
    result = save_paper(store, zconfig.with_values(zotero__max_retries=0), "2501.00024")
    assert result.status == "queued"
    assert store.outbox_entry("2501.00024").status == "pending"
    zotero_server.state.faults.clear()
    summary = push_outbox(store, zconfig, force=True)
    assert summary.results["2501.00024"].message.startswith("restored from the Zotero trash")
    assert "deleted" not in zotero_server.library().items[key]
