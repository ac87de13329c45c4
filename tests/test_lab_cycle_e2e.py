"""The lab's daily cycle end to end: real PostgreSQL, the local arXiv and Zotero servers over HTTP.

Four users with libraries from the dev data set (../shared/data): Alice (computer vision, her
Zotero user library) and Bob (language, a group library) get different rankings from one shared
fetch; Carol's Zotero key is refused and Dave's Zotero library is down. Their cycles fail, and
that is recorded as their problem; Alice's and Bob's complete.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from xml.sax.saxutils import escape

from sync.lab import encrypt_zotero
from sync.lab_cycle import run_lab_cycle
from sync.store import Store
from tests.support.arxiv_server import ATOM, Reply
from tests.support.dev_data import dev_records
from tests.support.zotero_server import ZoteroServer

DAY = date(2025, 9, 24)
NOW = datetime(2025, 9, 24, 6, 0, tzinfo=timezone.utc)
KEY = "ZOTERO-LAB-KEY-0123456789"
SECRET = "lab-secret-e2e-0123456789"


def atom_feed(records: list[dict], categories: str) -> bytes:
    """An announcement feed in arXiv's Atom format for the records in the requested categories."""
    wanted = set(categories.replace("+", " ").split())
    entries = []
    for r in records:
        if not wanted & set(r["categories"]):
            continue
        cats = "".join(f'<category term="{escape(c)}"/>' for c in r["categories"])
        entries.append(
            f"<entry><id>oai:arXiv.org:{r['id']}v1</id><title>{escape(r['title'])}</title>"
            f"<updated>2025-09-24T04:00:00+00:00</updated>"
            f'<link href="https://arxiv.org/abs/{r["id"]}" rel="alternate" type="text/html"/>'
            f"<summary>arXiv:{r['id']}v1 Announce Type: new \nAbstract: {escape(r['abstract'])}</summary>{cats}"
            f"<published>2025-09-24T00:00:00-04:00</published><arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:creator>{escape(', '.join(r['authors']))}</dc:creator></entry>")
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">'
            f"<id>http://rss.arxiv.org/atom/{categories}</id><title>{categories} updates on arXiv.org</title>"
            "<updated>2025-09-24T04:00:00+00:00</updated>" + "".join(entries) + "</feed>").encode("utf-8")


def zotero_items(records: list[dict]) -> list[dict]:
    return [{"itemType": "preprint", "title": r["title"], "abstractNote": r["abstract"],
             "creators": [{"creatorType": "author", "name": a} for a in r["authors"][:3]],
             "repository": "arXiv", "archiveID": f"arXiv:{r['id']}", "url": f"http://arxiv.org/abs/{r['id']}",
             "tags": [], "collections": [], "relations": {}, "dateAdded": f"{r['announced']}T12:00:00Z"}
            for r in records]


def test_lab_cycle_two_users_different_rankings_one_users_zotero_down(pg_url, config, local_arxiv, tmp_path):
    records = dev_records()
    today = [r for r in records if r["announced"] == DAY.isoformat()]
    before = [r for r in records if r["announced"] < DAY.isoformat()]
    vision = [r for r in before if "cs.CV" in r["categories"] and "segmentation" in r["abstract"].lower()][:60]
    language = [r for r in before if r["categories"][0] == "cs.CL" and "translation" in r["abstract"].lower()][:60]
    assert len(vision) >= 50 and len(language) >= 20
    requested = []

    def feed(categories: str) -> Reply:
        requested.append(categories)
        return Reply(200, atom_feed(today, categories), {"Content-Type": ATOM})

    local_arxiv.feed = feed
    with ZoteroServer(api_key=KEY, user_id=1) as zotero:
        zotero.library("users", 1).add_items(zotero_items(vision))
        zotero.library("groups", 2).add_items(zotero_items(language))
        zotero.library("groups", 4).add_items(zotero_items(language[:5]))
        zotero.add_fault(503, path="/groups/4/", count=1000)  # Dave's library is down all along
        cfg = local_arxiv.config(config, store__url=pg_url, lab__secret=SECRET, lab__concurrency=2,
                                 zotero__api_url=zotero.url, zotero__max_retries=0, zotero__timeout_seconds=5.0,
                                 zotero__max_wait_seconds=1.0, ranking__backend="tfidf", reports__formats=["md"],
                                 reports__dir=str(tmp_path / "reports"))
        admin = Store(pg_url)
        people = {"alice": ("users", "1", KEY, ["cs.CV", "cs.RO"]), "bob": ("group", "2", KEY, ["cs.CL", "cs.CV"]),
                  "carol": ("users", "1", "WRONG-KEY-0123456789abc", ["cs.AI"]),
                  "dave": ("group", "4", KEY, ["cs.CL"])}
        for name, (kind, library_id, key, categories) in people.items():
            admin.add_user(name, settings={"arxiv.categories": categories, "arxiv.keywords": [],
                                           "ranking.threshold": 0.0, "ranking.max_results": 20})
            admin.set_user_zotero_secret(name, encrypt_zotero(cfg, library_id=library_id, api_key=key,
                                                              library_type="user" if kind == "users" else "group"))
        result = run_lab_cycle(cfg, admin, now=NOW)

        assert result.fetch.status == "ok", result.fetch.message
        assert len(requested) == 1  # one fetch, for everybody's categories
        assert set(requested[0].replace("+", " ").split()) == {"cs.CV", "cs.RO", "cs.CL", "cs.AI"}
        assert set(result.problems) == {"carol", "dave"}, result.lines()
        assert "zotero pull" in result.problems["carol"] and "zotero pull" in result.problems["dave"]

        users = {u.name: u for u in admin.users()}
        assert users["alice"].last_problem == "" and users["bob"].last_problem == ""
        assert users["carol"].last_problem and users["dave"].last_problem and users["dave"].last_cycle_at
        alice, bob = admin.user_store(users["alice"].id), admin.user_store(users["bob"].id)
        assert alice.count_library_items() == len(vision) and bob.count_library_items() == len(language)
        ranked_a = alice.ranked_papers(DAY, limit=20)
        ranked_b = bob.ranked_papers(DAY, limit=20)
        assert len(ranked_a) == len(ranked_b) == 20
        top_a = [r.paper.arxiv_id for r in ranked_a[:10]]
        top_b = [r.paper.arxiv_id for r in ranked_b[:10]]
        assert top_a != top_b and len(set(top_a) & set(top_b)) < 5
        # each ranks only what their own categories would have fetched
        assert all({"cs.CV", "cs.RO"} & set(r.paper.categories) for r in alice.ranked_papers(DAY, limit=500))
        assert all({"cs.CL", "cs.CV"} & set(r.paper.categories) for r in bob.ranked_papers(DAY, limit=500))
        # reports land in each user's own folder
        assert (tmp_path / "reports" / "users" / "alice").is_dir() and (tmp_path / "reports" / "users" / "bob").is_dir()
        # the cycle run records per-user outcomes
        run = admin.last_cycle_run()
        assert run.status == "failed" and {s["name"] for s in run.steps} >= {"fetch", "user alice", "user dave"}
        assert "dave" in run.message and "alice" not in run.message
        for s in (alice, bob, admin):
            s.close()
