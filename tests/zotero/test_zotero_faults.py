"""Zotero faults real Zotero has, against the strict local server over real HTTP.

Regressions: a lost reply (write applied, answer lost) was reported "already in library"; a 409
(library locked) was not retried; a child note or attachment that failed was dropped silently
while the paper was marked done.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner
from tests.zotero.helpers import make_paper, store_papers

from sync.errors import ZoteroAuthError
from sync.library_sync import pull_library
from sync.saving.accept import save_paper
from sync.saving.push import push_outbox
from sync.zotero.keys import item_key


def _parents(server) -> list[dict]:
    return [i for i in server.library().items.values() if not i.get("parentItem")]


def test_lost_reply_is_reported_saved_with_one_item(store, zconfig, zotero_server):
    store_papers(store, [make_paper(31)])
    pull_library(store, zconfig)
    zotero_server.add_fault(200, method="POST", path="/items", lose_reply=True)
    result = save_paper(store, zconfig, "2501.00031")
    assert result.status == "saved", result
    assert result.item_key == item_key("users/1", "2501.00031")
    assert len(_parents(zotero_server)) == 1
    assert store.outbox_entry("2501.00031").status == "done"


def test_lost_reply_then_queued_is_reported_saved_by_the_next_push(store, zconfig, zotero_server):
    store_papers(store, [make_paper(32)])
    pull_library(store, zconfig)
    zotero_server.add_fault(200, method="POST", path="/items", lose_reply=True)
    once = zconfig.with_values(zotero__max_retries=0)
    assert save_paper(store, once, "2501.00032").status == "queued"  # the answer never came
    summary = push_outbox(store, zconfig, force=True)
    assert summary.results["2501.00032"].status == "saved"
    assert (summary.saved, summary.already_in_library) == (1, 0)
    assert len(_parents(zotero_server)) == 1


def test_library_locked_409_is_retried(store, zconfig, zotero_server):
    store_papers(store, [make_paper(33)])
    pull_library(store, zconfig)
    zotero_server.state.lock_library(count=2)
    result = save_paper(store, zconfig, "2501.00033")
    assert result.status == "saved"
    assert zotero_server.state.count("POST", "/items") == 3  # locked, locked, written
    assert len(_parents(zotero_server)) == 1


def test_library_locked_for_long_stays_queued_with_the_reason(store, zconfig, zotero_server):
    store_papers(store, [make_paper(34)])
    pull_library(store, zconfig)
    zotero_server.state.lock_library(count=100)
    result = save_paper(store, zconfig, "2501.00034")
    assert result.status == "queued" and "409" in result.message and "locked" in result.message
    assert store.outbox_entry("2501.00034").status == "pending"


def test_failed_child_stays_in_the_outbox_and_is_retried(store, zconfig, zotero_server, monkeypatch):
    store_papers(store, [make_paper(35)])
    pull_library(store, zconfig)
    parent = item_key("users/1", "2501.00035")
    pdf = item_key("users/1", "2501.00035", "attachment:pdf")
    zotero_server.state.refuse_object(pdf, 500, "An error occurred")
    result = save_paper(store, zconfig, "2501.00035")
    assert result.status == "queued" and f"saved as item {parent}" in result.message
    assert "Preprint PDF: 500" in result.message
    entry = store.outbox_entry("2501.00035")
    assert entry.status == "pending"
    assert pdf not in zotero_server.library().items
    # `paperfeed outbox` shows it, with the reason
    for name, value in (("PAPERFEED_ZOTERO_LIBRARY_ID", "1"), ("PAPERFEED_ZOTERO_API_KEY", "test-api-key"),
                        ("PAPERFEED_ZOTERO_API_URL", zotero_server.url),
                        ("PAPERFEED_STORAGE_DATA_DIR", str(zconfig.data_dir))):
        monkeypatch.setenv(name, value)
    from sync.cli import cli
    out = CliRunner().invoke(cli, ["outbox"])
    assert "2501.00035  pending" in out.output and "Preprint PDF: 500" in out.output
    # the next push writes only what is missing
    summary = push_outbox(store, zconfig, force=True)
    assert summary.results["2501.00035"].status == "saved"
    assert store.outbox_entry("2501.00035").status == "done"
    lib = zotero_server.library()
    assert pdf in lib.items and len(_parents(zotero_server)) == 1
    assert sorted(c["itemType"] for c in lib.children(parent)) == ["attachment", "note", "note"]


def test_read_only_key_tells_the_user_it_lacks_write_access(store, zconfig, zotero_server):
    zotero_server.state.add_key("read-only-key", write=False)
    config = zconfig.with_values(zotero__api_key="read-only-key")
    store_papers(store, [make_paper(36)])
    pull_library(store, config)  # reading works
    result = save_paper(store, config, "2501.00036")
    assert result.status == "queued"
    assert "lacks write access" in result.message and "read-only-key" not in result.message
    assert _parents(zotero_server) == []


def test_group_the_key_cannot_reach_is_403(store, zconfig, zotero_server):
    zotero_server.state.add_key("group-5-key", groups=(5,))
    config = zconfig.with_values(zotero__api_key="group-5-key", zotero__library_type="group",
                                 zotero__library_id="77")
    with pytest.raises(ZoteroAuthError):
        pull_library(store, config)
    assert pull_library(store, config.with_values(zotero__library_id="5")).library == "groups/5"


def _post(url: str, headers: dict, body: list) -> tuple[int, str]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_server_refuses_non_numeric_if_unmodified_since_version(zotero_server):
    status, text = _post(f"{zotero_server.url}/users/1/items",
                         {"Zotero-API-Key": "test-api-key", "If-Unmodified-Since-Version": "abc"},
                         [{"itemType": "note", "note": "x"}])
    assert status == 400 and "If-Unmodified-Since-Version" in text


def test_server_keeps_write_tokens_per_key_for_12_hours(zotero_server):
    zotero_server.state.add_key("second-key")
    url = f"{zotero_server.url}/users/1/items"
    note = [{"itemType": "note", "note": "x"}]
    token = {"Zotero-Write-Token": "a" * 32}
    assert _post(url, {"Zotero-API-Key": "test-api-key", **token}, note)[0] == 200
    assert _post(url, {"Zotero-API-Key": "test-api-key", **token}, note)[0] == 412  # reused: refused
    assert _post(url, {"Zotero-API-Key": "second-key", **token}, note)[0] == 200  # another key's token space
    real = zotero_server.state.clock
    zotero_server.state.clock = lambda: real() + 12 * 3600 + 1
    assert _post(url, {"Zotero-API-Key": "test-api-key", **token}, note)[0] == 200  # forgotten after 12 h
