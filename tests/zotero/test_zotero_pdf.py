"""``zotero.pdf``: the PDF as the Connector stores it (file), a link, or nothing; real HTTP to the local
arXiv (the PDF) and Zotero (the upload protocol: authorization, upload, registration) servers."""

from __future__ import annotations

import hashlib

import pytest
from tests.zotero.helpers import make_paper, store_papers

from sync.library_sync import pull_library
from sync.saving.accept import save_paper
from sync.saving.push import push_outbox
from sync.zotero.keys import item_key
from tests.support.arxiv_server import LocalArxiv, Reply


@pytest.fixture
def arxiv():
    with LocalArxiv() as server:
        yield server


@pytest.fixture
def pconfig(zconfig, arxiv):
    return arxiv.config(zconfig, arxiv__delay_seconds=0.0, arxiv__max_retries=0).with_values(zotero__pdf="file")


def _attachments(zotero_server, parent: str) -> list[dict]:
    return [c for c in zotero_server.library().children(parent) if c["itemType"] == "attachment"]


def test_pdf_file_is_downloaded_from_arxiv_and_uploaded_to_zotero(store, pconfig, zotero_server, arxiv):
    store_papers(store, [make_paper(41, version=2)])
    pull_library(store, pconfig)
    result = save_paper(store, pconfig, "2501.00041")
    assert result.status == "saved", result
    [pdf] = _attachments(zotero_server, result.item_key)
    assert (pdf["linkMode"], pdf["title"], pdf["filename"]) == ("imported_url", "Preprint PDF", "2501.00041v2.pdf")
    stored = zotero_server.state.files[pdf["key"]]
    assert stored.startswith(b"%PDF") and b"2501.00041v2" in stored
    assert pdf["md5"] == hashlib.md5(stored).hexdigest()
    assert [s.path for s in arxiv.requests_to("/pdf/")] == ["/pdf/2501.00041v2"]
    posts = [p.split("?")[0] for m, p, _ in zotero_server.state.requests if m == "POST"]
    # the item batch, then authorization, upload (to the URL Zotero gave), registration
    assert posts == ["/users/1/items", f"/users/1/items/{pdf['key']}/file", posts[2],
                     f"/users/1/items/{pdf['key']}/file"]
    assert posts[2].startswith("/upload/")


def test_pdf_file_exists_short_circuits_the_upload(store, pconfig, zotero_server, arxiv):
    store_papers(store, [make_paper(42)])
    pull_library(store, pconfig)
    zotero_server.state.files["OTHERKEY"] = arxiv.pdf("2501.00042v1").body  # Zotero has this very file
    result = save_paper(store, pconfig, "2501.00042")
    assert result.status == "saved"
    [pdf] = _attachments(zotero_server, result.item_key)
    assert pdf["md5"] == hashlib.md5(arxiv.pdf("2501.00042v1").body).hexdigest()
    assert zotero_server.state.count("POST", "/upload/") == 0
    assert zotero_server.state.count("POST", "/file") == 1  # authorization answered {"exists": 1}


def test_pdf_over_quota_falls_back_to_a_link_and_says_so(store, pconfig, zotero_server):
    zotero_server.state.quota_bytes = 10
    store_papers(store, [make_paper(43)])
    pull_library(store, pconfig)
    result = save_paper(store, pconfig, "2501.00043")
    assert result.status == "saved"
    assert "storage is full" in result.message and "link" in result.message
    [pdf] = _attachments(zotero_server, result.item_key)
    assert (pdf["linkMode"], pdf["url"]) == ("linked_url", "http://arxiv.org/pdf/2501.00043v1")
    assert pdf["key"] == item_key("users/1", "2501.00043", "attachment:pdf")
    assert zotero_server.state.files == {}
    assert "storage is full" in store.outbox_entry("2501.00043").last_error  # shown with the save record


def test_pdf_not_available_keeps_the_paper_queued_then_stores_it(store, pconfig, zotero_server, arxiv):
    store_papers(store, [make_paper(44)])
    pull_library(store, pconfig)
    arxiv.pdf = lambda name: Reply(503, b"busy", {"Content-Type": "text/plain"})
    result = save_paper(store, pconfig, "2501.00044")
    parent = item_key("users/1", "2501.00044")
    assert result.status == "queued" and f"saved as item {parent}, but its PDF is not stored yet" in result.message
    assert store.outbox_entry("2501.00044").status == "pending"
    arxiv.pdf = LocalArxiv().pdf  # arXiv is back
    summary = push_outbox(store, pconfig, force=True)
    assert summary.results["2501.00044"].status == "saved"
    [pdf] = _attachments(zotero_server, parent)
    assert pdf["key"] in zotero_server.state.files
    assert len([i for i in zotero_server.library().items.values() if not i.get("parentItem")]) == 1


@pytest.mark.parametrize("mode, link_modes", [("link", ["linked_url"]), ("none", [])])
def test_pdf_link_and_none(store, zconfig, zotero_server, mode, link_modes):
    store_papers(store, [make_paper(45)])
    result = save_paper(store, zconfig.with_values(zotero__pdf=mode), "2501.00045")
    assert [a["linkMode"] for a in _attachments(zotero_server, result.item_key)] == link_modes
    assert zotero_server.state.count("POST", "/file") == 0
