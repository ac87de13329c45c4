"""``GET /api/papers/<id>`` and ``/bibtex``: any id form, library state, related papers, arXiv lookup."""

from __future__ import annotations

import pytest

from tests.server.conftest import AUTH, sample_papers, seed_day, seed_library
from tests.support.arxiv_server import LocalArxiv, fixture_reply

DETAIL_KEYS = {"paper", "in_library", "item_key", "status", "match", "save", "bibtex", "related"}


@pytest.fixture
def seeded(api_store):
    ranked = seed_day(api_store, sample_papers(40))
    seed_library(api_store, in_library={ranked[1].paper.arxiv_id: "ITEMKEY1"})
    return ranked


@pytest.fixture
def local_arxiv():
    with LocalArxiv() as server:
        yield server


@pytest.fixture
def arxiv_client(local_arxiv, server_config, api_store):
    from server import create_app

    config = server_config.with_values(**{k.replace(".", "__"): v for k, v in local_arxiv.settings().items()})
    return create_app(config, store=api_store).test_client()


def detail(client, id_form: str) -> dict:
    response = client.get(f"/api/papers/{id_form}", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_detail_of_a_ranked_paper(client, seeded):
    target = seeded[0].paper
    body = detail(client, target.arxiv_id)
    assert set(body) == DETAIL_KEYS
    assert body["paper"]["id"] == target.arxiv_id and body["paper"]["title"] == target.title
    assert body["match"]["rank"] == 1 and body["match"]["reason"] == seeded[0].reason
    assert body["match"]["collection"] == {"key": "COLL0001", "name": "Reading group"}
    assert body["in_library"] is False and body["item_key"] is None and body["status"] == "new"
    assert body["bibtex"].startswith("@") and target.arxiv_id in body["bibtex"]
    related_ids = [m["paper"]["id"] for m in body["related"]]
    assert target.arxiv_id not in related_ids
    assert 0 < len(related_ids) <= 5


@pytest.mark.parametrize("form", [
    "{id}", "{id}v2", "arXiv:{id}", "https://arxiv.org/abs/{id}", "https://arxiv.org/pdf/{id}v1.pdf",
    "https%3A%2F%2Farxiv.org%2Fabs%2F{id}", "arxiv.org/abs/{id}", "10.48550/arXiv.{id}",
])
def test_detail_accepts_every_id_form(client, seeded, form):
    arxiv_id = seeded[0].paper.arxiv_id
    assert detail(client, form.format(id=arxiv_id))["paper"]["id"] == arxiv_id


def test_detail_paper_in_library(client, seeded):
    body = detail(client, seeded[1].paper.arxiv_id)
    assert body["in_library"] is True and body["item_key"] == "ITEMKEY1"
    assert body["status"] == "in_library" and body["match"]["status"] == "in_library"
    assert body["match"]["item_key"] == "ITEMKEY1"


def test_list_marks_papers_in_library(client, seeded):
    body = client.get("/api/papers?status=in_library", headers=AUTH).get_json()
    assert [m["paper"]["id"] for m in body["items"]] == [seeded[1].paper.arxiv_id]
    assert body["items"][0]["item_key"] == "ITEMKEY1"


def test_detail_related_leaves_out_dismissed(client, seeded):
    first = detail(client, seeded[0].paper.arxiv_id)["related"][0]["paper"]["id"]
    client.post(f"/api/papers/{first}/dismiss", headers=AUTH)
    assert first not in [m["paper"]["id"] for m in detail(client, seeded[0].paper.arxiv_id)["related"]]


def test_detail_fetches_unknown_paper_from_arxiv_and_stores_it(arxiv_client, local_arxiv, api_store, seeded):
    local_arxiv.api = lambda q: fixture_reply("api_2026-05_id_astro-ph_0601001_affiliations_jref.xml")
    body = detail(arxiv_client, "https://arxiv.org/abs/astro-ph/0601001")
    assert body["paper"]["id"] == "astro-ph/0601001"
    assert body["match"] is None and body["status"] == "new"
    assert body["paper"]["journal_ref"]
    stored = api_store.get_paper("astro-ph/0601001")
    assert stored is not None and stored.announce_date is None
    # the second look is served from the store: no new request to arXiv
    before = len(local_arxiv.requests_to("/api/query"))
    detail(arxiv_client, "astro-ph/0601001")
    assert len(local_arxiv.requests_to("/api/query")) == before
    # a looked-up paper never shows up in a day's list
    listed = arxiv_client.get("/api/papers?limit=500", headers=AUTH).get_json()["items"]
    assert "astro-ph/0601001" not in [m["paper"]["id"] for m in listed]


def test_detail_unknown_id_is_404(arxiv_client, local_arxiv):
    local_arxiv.api = lambda q: fixture_reply("api_2026-04_id_0000.0000_zero_results.xml")
    response = arxiv_client.get("/api/papers/2501.99999", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "2501.99999" in response.get_json()["error"]["message"]


def test_detail_arxiv_down_is_503_json(arxiv_client, local_arxiv):
    from tests.support.arxiv_server import Reply

    local_arxiv.api = lambda q: Reply(503, b"down", {"Content-Type": "text/plain", "Retry-After": "0"})
    response = arxiv_client.get("/api/papers/2501.99999", headers=AUTH)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "arxiv_unavailable"


def test_bibtex_route(client, seeded):
    target = seeded[0].paper
    response = client.get(f"/api/papers/arXiv:{target.arxiv_id}/bibtex", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/x-bibtex; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith("@") and target.arxiv_id in text
    assert text == detail(client, target.arxiv_id)["bibtex"]


def test_bibtex_unknown_id_is_404(arxiv_client):
    response = arxiv_client.get("/api/papers/2501.99999/bibtex", headers=AUTH)
    assert response.status_code == 404
