"""Saving and syncing against the local Zotero API server over real HTTP (pyzotero underneath)."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner
from tests.zotero.helpers import make_paper, store_papers

from sync.errors import ZoteroUnavailableError
from sync.library_sync import pull_library
from sync.saving.accept import SUGGESTED, save_paper
from sync.saving.push import push_outbox
from sync.store import Store
from sync.zotero.keys import item_key


def _parents(server):
    return [i for i in server.library().items.values() if not i.get("parentItem")]


def _by_archive(server):
    counts: dict[str, int] = {}
    for item in _parents(server):
        counts[item["extra"].split()[0]] = counts.get(item["extra"].split()[0], 0) + 1
    return counts


def test_save_paper_twice_gives_one_item_and_already_in_library(store, zconfig, zotero_server):
    store_papers(store, [make_paper(1)])
    first = save_paper(store, zconfig, "2501.00001", tags=("to read",), collection="Reading")
    second = save_paper(store, zconfig, "https://arxiv.org/abs/2501.00001v2")
    assert first.status == "saved" and second.status == "already_in_library"
    assert first.item_key == second.item_key == item_key("users/1", "2501.00001")
    [item] = _parents(zotero_server)
    children = zotero_server.library().children(item["key"])
    assert sorted(c["itemType"] for c in children) == ["attachment", "note", "note"]  # PDF, comment, BibTeX
    [coll] = zotero_server.library().collections.values()
    assert coll["name"] == "Reading" and item["collections"] == [coll["key"]]
    assert {"tag": "paperfeed", "type": 1} in item["tags"] and {"tag": "to read"} in item["tags"]
    assert store.library_match(["2501.00001"]) == {"2501.00001": first.item_key}


@pytest.mark.parametrize("sent, expected", [
    (None, {"paperfeed", "robotics", "planning"}),  # nothing sent: the suggested tags
    (("planning", "mine"), {"paperfeed", "planning", "mine"}),  # the user's edited chips are final
    ((), {"paperfeed"}),  # every suggestion removed stays removed
])
def test_save_paper_uses_suggested_tags_only_when_none_are_sent(store, zconfig, zotero_server, sent, expected):
    from datetime import date

    from sync.store.rankings import RankingRow

    store_papers(store, [make_paper(9)])
    store.save_ranking(date(2025, 1, 2), [RankingRow("2501.00009", 0.9, "close to your library",
                                                     tags=("robotics", "planning"))])
    result = save_paper(store, zconfig, "2501.00009", tags=sent)
    assert result.status == "saved"
    [item] = _parents(zotero_server)
    assert {t["tag"] for t in item["tags"] if not t.get("type")} | {"paperfeed"} == expected


@pytest.mark.parametrize("sent, expected", [
    (SUGGESTED, ["Suggested"]),  # not chosen: the ranking's suggestion
    (None, []),  # the user picked "No collection"
    ("Mine", ["Mine"]),
])
def test_save_paper_collection_none_means_none_and_suggested_means_suggested(store, zconfig, zotero_server,
                                                                            sent, expected):
    from datetime import date

    from sync.store.rankings import RankingRow

    store_papers(store, [make_paper(8)])
    store.save_ranking(date(2025, 1, 2), [RankingRow("2501.00008", 0.9, "close", collection="Suggested")])
    assert save_paper(store, zconfig, "2501.00008", collection=sent).status == "saved"
    [item] = _parents(zotero_server)
    names = {c["key"]: c["name"] for c in zotero_server.library().collections.values()}
    assert [names[k] for k in item["collections"]] == expected


def test_save_paper_concurrently_from_two_stores_creates_one_item(tmp_path, zconfig, zotero_server):
    stores = [Store(zconfig.store_path) for _ in range(2)]
    store_papers(stores[0], [make_paper(2)])
    results = []
    threads = [threading.Thread(target=lambda s=s: results.append(save_paper(s, zconfig, "2501.00002")))
               for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in results) in (["already_in_library", "saved"], ["already_in_library"] * 2)
    assert len({r.item_key for r in results}) == 1
    assert _by_archive(zotero_server) == {"arXiv:2501.00002": 1}


def test_save_paper_recognises_item_saved_by_other_means(store, zconfig, zotero_server):
    paper = make_paper(3, doi="10.1145/1234.5678")
    store_papers(store, [paper])
    other = zotero_server.library().add_item({"itemType": "journalArticle", "title": paper.title,
                                              "DOI": "10.1145/1234.5678", "tags": [], "collections": []})
    pull_library(store, zconfig)
    result = save_paper(store, zconfig, "2501.00003")
    assert result.status == "already_in_library" and result.item_key == other
    assert len(_parents(zotero_server)) == 1


def test_save_paper_with_journal_doi_stays_a_preprint_with_the_reference_in_extra(store, zconfig, zotero_server):
    """Regression: a journal reference string was written into publicationTitle of a journalArticle."""
    store_papers(store, [make_paper(4, doi="10.1109/X.2022.1", journal_ref="Proc. X 2022")])
    result = save_paper(store, zconfig, "2501.00004v2")
    item = zotero_server.library().items[result.item_key]
    assert (item["itemType"], item["DOI"]) == ("preprint", "10.48550/arXiv.2501.00004")
    assert "publicationTitle" not in item
    assert item["extra"].splitlines() == ["arXiv:2501.00004 [cs.DC]", "version: 2", "Journal reference: Proc. X 2022",
                                          "Journal DOI: 10.1109/X.2022.1"]


def test_push_outbox_survives_429_with_retry_after_mid_batch(store, zconfig, zotero_server):
    papers = [make_paper(n) for n in range(10, 30)]  # 20 papers x 4 objects = 2 batches of <= 50
    store_papers(store, papers)
    for p in papers:
        store.enqueue_save(p.arxiv_id, library="users/1", item_key=item_key("users/1", p.arxiv_id))
    zotero_server.add_fault(429, method="POST", path="/items", after=1, headers={"Retry-After": "1"})
    summary = push_outbox(store, zconfig)
    assert summary.saved == 20 and summary.queued == 0
    assert _by_archive(zotero_server) == {f"arXiv:{p.arxiv_id}": 1 for p in papers}
    assert zotero_server.state.count("POST", "/items") == 3  # batch 1, batch 2 refused, batch 2 again


def test_push_outbox_retries_500_then_succeeds(store, zconfig, zotero_server):
    store_papers(store, [make_paper(5)])
    zotero_server.add_fault(500, method="POST", path="/items")
    assert save_paper(store, zconfig, "2501.00005").status == "saved"
    assert _by_archive(zotero_server) == {"arXiv:2501.00005": 1}


def test_save_paper_queues_when_zotero_is_unreachable_then_sync_pushes(store, zconfig, zotero_server):
    store_papers(store, [make_paper(6)])
    down = zconfig.with_values(zotero__api_url="http://127.0.0.1:9", zotero__max_retries=1)
    result = save_paper(store, down, "2501.00006")
    assert result.status == "queued" and "cannot reach Zotero" in result.message
    [entry] = store.outbox_entries()
    assert entry.status == "pending" and "cannot reach Zotero" in entry.last_error and entry.next_attempt_at
    assert push_outbox(store, zconfig).saved == 0  # backoff not expired yet
    assert push_outbox(store, zconfig, force=True).saved == 1
    assert store.outbox_entries() == [] and _by_archive(zotero_server) == {"arXiv:2501.00006": 1}


def test_push_outbox_keeps_queue_when_retry_after_exceeds_max_wait(store, zconfig, zotero_server):
    store_papers(store, [make_paper(7)])
    zotero_server.add_fault(503, method="POST", path="/items", headers={"Retry-After": "3600"})
    result = save_paper(store, zconfig, "2501.00007")
    assert result.status == "queued" and "3600" in result.message
    [entry] = store.outbox_entries()
    assert entry.next_attempt_at > "2000"  # deferred by at least the server's Retry-After
    assert push_outbox(store, zconfig, force=True).saved == 1


def test_push_after_crash_between_store_write_and_push_saves_once(store, zconfig, zotero_server):
    """The accept was written, the process died before (or after) sending: recovery gives one item."""
    store_papers(store, [make_paper(8), make_paper(9)])
    for n in (8, 9):
        store.enqueue_save(f"2501.0000{n}", library="users/1", item_key=item_key("users/1", f"2501.0000{n}"))
    # 2501.00009 had actually reached Zotero before the crash (answer lost): its key exists -> 412
    zotero_server.library().add_item({"key": item_key("users/1", "2501.00009"), "itemType": "preprint",
                                      "title": "x", "extra": "arXiv:2501.00009 [cs.DC]"})
    summary = push_outbox(Store(zconfig.store_path), zconfig)
    assert (summary.saved, summary.already_in_library, summary.queued) == (1, 1, 0)
    assert _by_archive(zotero_server) == {"arXiv:2501.00008": 1, "arXiv:2501.00009": 1}


def test_library_pull_first_then_unchanged_costs_one_request(store, zconfig, zotero_server):
    from tests.support.zotero_server import seed_library
    seed_library(zotero_server.library(), 120)
    zotero_server.library().add_collection("Reading")
    seen = []
    first = pull_library(store, zconfig, progress=lambda label, done, total: seen.append((label, done, total)))
    assert first.items_updated == 120 and first.collections_updated == 1 and len(store.library_items()) == 120
    assert seen and {label for label, _, _ in seen} == {"library"} and seen[-1][1] == seen[-1][2]
    assert first.requests == 1 + 1 + 3 + 1  # versions, collection versions, 3 item pages, 1 collection page
    again = pull_library(store, zconfig)
    assert again.unchanged and again.requests == 1
    assert zotero_server.state.requests[-1][2] == 304


def test_library_pull_applies_changes_and_deletions(store, zconfig, zotero_server):
    lib = zotero_server.library()
    a = lib.add_item({"itemType": "preprint", "title": "A", "url": "http://arxiv.org/abs/2501.00100"})
    b = lib.add_item({"itemType": "book", "title": "B"})
    c = lib.add_collection("Old")
    pull_library(store, zconfig)
    lib.update_item(a, title="A2")
    lib.delete_item(b)
    lib.delete_collection(c)
    lib.add_item({"itemType": "note", "note": "<p>standalone</p>"})
    summary = pull_library(store, zconfig)
    assert (summary.items_updated, summary.items_deleted, summary.collections_deleted) == (1, 1, 1)
    assert [(i.key, i.title, i.arxiv_id) for i in store.library_items()] == [(a, "A2", "2501.00100")]
    assert store.library_collections() == []


def test_library_pull_resumes_after_a_crash_mid_pull(store, zconfig, zotero_server):
    from tests.support.zotero_server import seed_library
    seed_library(zotero_server.library(), 150)
    # connection dropped on the 2nd item page, more often than we retry: the pull stops
    zotero_server.add_fault(0, method="GET", path="/items", after=2, count=10)
    with pytest.raises(ZoteroUnavailableError):
        pull_library(store, zconfig.with_values(zotero__max_retries=0))
    state = store.last_library_sync()
    assert state.in_progress and len(state.pending_items) == 100 and len(store.library_items()) == 50
    zotero_server.state.faults.clear()
    resumed = pull_library(store, zconfig)
    assert resumed.resumed and resumed.requests == 2 and len(store.library_items()) == 150
    assert not store.last_library_sync().in_progress


def test_group_library_saves_into_the_group(store, zconfig, zotero_server):
    group = zconfig.with_values(zotero__library_type="group", zotero__library_id="4242")
    store_papers(store, [make_paper(11)])
    result = save_paper(store, group, "2501.00011")
    assert result.status == "saved" and result.item_key == item_key("groups/4242", "2501.00011")
    assert result.item_key in zotero_server.library("groups", 4242).items


def test_cli_save_outbox_bibtex_and_sync(store, zconfig, zotero_server, tmp_path, monkeypatch):
    from sync.cli import cli
    store_papers(store, [make_paper(12)])
    for name, value in (("PAPERFEED_ZOTERO_LIBRARY_ID", "1"), ("PAPERFEED_ZOTERO_API_KEY", "test-api-key"),
                        ("PAPERFEED_ZOTERO_API_URL", zotero_server.url), ("PAPERFEED_STORAGE_DATA_DIR",
                                                                           str(zconfig.data_dir))):
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    out = runner.invoke(cli, ["save", "2501.00012", "--tags", "a,b", "--collection", "Reading"])
    assert out.exit_code == 0 and "saved to Zotero as item" in out.output
    out = runner.invoke(cli, ["outbox"])
    assert "outbox empty" in out.output
    out = runner.invoke(cli, ["bibtex", "2501.00012"])
    assert out.exit_code == 0 and out.output.startswith("@misc{lovelace2025studything12,")  # arXiv keys: four title words
    out = runner.invoke(cli, ["sync"])
    # the save's conditional write kept the index current: nothing to re-read
    assert out.exit_code == 0 and "library users/1: unchanged" in out.output
    out = runner.invoke(cli, ["save", "not-an-id"])
    assert out.exit_code == 1 and "error: not an arXiv identifier" in out.output


def test_save_paper_while_arxiv_is_down_records_saved_feedback_when_the_push_succeeds(store, zconfig, zotero_server,
                                                                                      local_arxiv):
    from tests.support.arxiv_server import Reply, fixture_reply

    config = local_arxiv.config(zconfig, arxiv__max_retries=0)
    local_arxiv.api = lambda query: Reply(500, b"arXiv is down", {"Content-Type": "text/plain"})
    queued = save_paper(store, config, "astro-ph/0601001")
    assert queued.status == "queued" and store.get_paper("astro-ph/0601001") is None
    assert store.feedback() == {}  # nothing to attach feedback to yet

    local_arxiv.api = lambda query: fixture_reply("api_2026-05_id_astro-ph_0601001_affiliations_jref.xml")
    assert push_outbox(store, config, force=True).saved == 1
    assert store.feedback() == {"astro-ph/0601001": "saved"}  # ranking learns from the save
    assert save_paper(store, config, "astro-ph/0601001").status == "already_in_library"
    assert store.feedback() == {"astro-ph/0601001": "saved"}


def test_push_outbox_keeps_feedback_given_after_the_accept(store, zconfig, zotero_server):
    down = zconfig.with_values(zotero__api_url="http://127.0.0.1:9", zotero__max_retries=0)
    assert save_paper(store, down, "2501.00031").status == "queued"  # arXiv and Zotero both down
    store_papers(store, [make_paper(31)])  # the next daily fetch stores the paper...
    store.set_feedback("2501.00031", "dismissed")  # ...and the user dismisses it in the popup
    assert push_outbox(store, zconfig, force=True).saved == 1
    assert store.feedback() == {"2501.00031": "dismissed"}
