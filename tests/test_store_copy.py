"""``paperfeed store copy``: a single-user SQLite store into a real PostgreSQL lab server, nothing lost."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
from click.testing import CliRunner

from sync.cli import cli
from sync.lab import decrypt_zotero
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, LibraryCollection, LibraryItem, Paper
from sync.settings import load_config
from sync.store import Store
from sync.store.copy import COPY_PLAN
from sync.store.rankings import RankingRow

DAY = date(2025, 9, 24)
SECRET = "lab-secret-for-tests-0123456789"


def _fill(store: Store) -> list[Paper]:
    papers = [Paper(f"2509.3{i:04d}", f"Paper {i} with 'quotes' and 50%", (f"A. Author{i}",), f"Abstract {i} ü",
                    ("cs.DC",), published=datetime(2025, 9, 20, tzinfo=timezone.utc)) for i in range(6)]
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=DAY, source="feed")
    store.record_keyword_hits("gpu", [papers[0].arxiv_id], on=DAY)
    run = store.start_fetch_run(kind="feed", query="cs.DC")
    store.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=DAY, new=6)
    rank_run = store.start_rank_run(day=DAY, backend="tfidf")
    store.save_ranking(DAY, [RankingRow(p.arxiv_id, 0.9 - i * 0.1, f"why {i}", tags=("t",)) for i, p in
                             enumerate(papers[:4])], run_id=rank_run)
    store.finish_rank_run(rank_run, outcome="ok", candidates=6, ranked=4, library_size=2)
    store.set_feedback(papers[1].arxiv_id, "saved")
    store.put_embeddings({"h": np.linspace(0, 1, 8, dtype="<f4")}, "minilm")
    store.reset_library_index("users/42")
    store.apply_library_page(items=[LibraryItem("K1", "Mine", tags=("gpu",), arxiv_id="2401.00001",
                                                date_added=datetime(2024, 1, 2, tzinfo=timezone.utc))],
                             collections=[LibraryCollection("C1", "Systems")])
    store.finish_library_pull(version=7, result="ok")
    store.enqueue_save(papers[1].arxiv_id, library="users/42", item_key="ITEM0001", tags=["t"])
    store.assign_citation_key(papers[1].arxiv_id, ["author2025paper"])
    cycle = store.start_cycle_run(day=DAY, sample=False)
    store.finish_cycle_run(cycle, status="ok", day=DAY, steps=[{"name": "fetch", "status": "ok"}])
    store.record_delivery(DAY, "daily", "email", "fp")
    return papers


def test_store_copy_moves_everything_and_compares_every_table(pg_url, config, tmp_path, monkeypatch):
    source = Store(config.store_path)
    papers = _fill(source)
    source.close()
    # The server already knows one paper (another user's fetch) and has its own fetch history.
    lab = Store(pg_url)
    lab.upsert_entries([AnnouncementEntry(papers[0], AnnounceType.NEW)], announce_date=DAY, source="feed")
    lab.start_fetch_run(kind="feed", query="someone else's")
    config_file = tmp_path / "config.toml"
    config_file.write_text('[arxiv]\ncategories = ["cs.PL"]\n[zotero]\nlibrary_id = "42"\n')
    monkeypatch.setenv("PAPERFEED_ZOTERO_API_KEY", "zotero-key-of-ada-123456")
    monkeypatch.setenv("PAPERFEED_LAB_SECRET", SECRET)

    result = CliRunner().invoke(cli, ["store", "copy", "--to", pg_url, "--user", "ada"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"all {len(COPY_PLAN)} tables match" in out
    for table, _, _ in COPY_PLAN:
        line = next(line for line in out.splitlines() if line.startswith(table + " "))
        assert line.split()[-1] == "ok" or "already on the server" in line, line
    assert "papers                      6 -> 6" in out and "(1 already on the server, kept)" in out
    assert "token of ada" in out  # a new user: their token, once

    ada = lab.user("ada")
    as_ada = lab.user_store(ada.id)
    check = Store(config.store_path)
    assert [(r.paper.arxiv_id, r.score, r.status) for r in as_ada.ranked_papers(DAY)] == \
        [(r.paper.arxiv_id, r.score, r.status) for r in check.ranked_papers(DAY)]
    assert as_ada.library_items() == check.library_items()
    assert as_ada.outbox_entries() == check.outbox_entries()
    assert as_ada.last_library_sync() == check.last_library_sync()
    assert as_ada.get_embeddings(["h"], "minilm")["h"].tolist() == check.get_embeddings(["h"], "minilm")["h"].tolist()
    assert as_ada.start_rank_run(day=DAY, backend="tfidf") > check.last_rank_run().id  # ids continue after the copy
    # settings and Zotero credentials came along, the key encrypted
    assert ada.settings["arxiv.categories"] == ["cs.PL"] and ada.has_zotero
    secret = lab.user_zotero_secret(ada.id)
    assert "zotero-key-of-ada" not in secret
    assert decrypt_zotero(load_config(config_file, environ={"PAPERFEED_LAB_SECRET": SECRET}), secret)["api_key"] \
        == "zotero-key-of-ada-123456"

    again = CliRunner().invoke(cli, ["store", "copy", "--to", pg_url, "--user", "ada"])
    assert again.exit_code == 1 and "new (empty) user only" in again.output
    for s in (lab, as_ada, check):
        s.close()
