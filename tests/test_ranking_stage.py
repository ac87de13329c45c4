"""The rank stage and store: rankings, feedback, cross-day dedupe, embedding cache, CLI and file mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone

import numpy as np
import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.errors import InvalidInputError, NotFoundError
from sync.models import AnnouncementEntry, AnnounceType, LibraryItem, Paper
from sync.rank_stage import CachingEncoder, rank_day
from sync.store.rankings import RankingRow

NOW = datetime(2025, 9, 25, 8, tzinfo=timezone.utc)
DAY1, DAY2 = date(2025, 9, 23), date(2025, 9, 24)
LIBRARY = [LibraryItem(key=f"L{i}", title=t, abstract=a, date_added=NOW, tags=("compilers",), collections=("C1",))
           for i, (t, a) in enumerate([
               ("Loop tiling in an optimizing compiler", "A polyhedral compiler pass for loop tiling."),
               ("Register allocation for GPU kernels", "Register allocation in the compiler backend."),
           ])]


def entry(arxiv_id: str, title: str, abstract: str, kind=AnnounceType.NEW) -> AnnouncementEntry:
    return AnnouncementEntry(Paper(arxiv_id=arxiv_id, title=title, abstract=abstract, categories=("cs.PL",)), kind)


@pytest.fixture
def filled(store, config):
    store.upsert_entries([entry("2509.10001", "A compiler for loop tiling", "Loop tiling in a polyhedral compiler."),
                          entry("2509.10002", "Tweets and sentiment", "Sentiment of tweets.")],
                         announce_date=DAY1, source="feed")
    store.upsert_entries([entry("2509.10001", "A compiler for loop tiling", "Loop tiling v2.", AnnounceType.REPLACE),
                          entry("2509.20001", "Register allocation revisited", "Register allocation in a compiler."),
                          entry("2509.20002", "Cooking robots", "Robots that cook dinner.")],
                         announce_date=DAY2, source="feed")
    return store


def tfidf(config, **changes):
    return config.with_values(**{"ranking__backend": "tfidf", "ranking__threshold": 0.0, **changes})


def test_rank_day_stores_ranking_newest_day_without_replacements(filled, config):
    summary = rank_day(filled, tfidf(config), now=NOW, library=LIBRARY)
    assert summary.day == DAY2 and summary.candidates == 2 and summary.ranked == 2
    ranked = filled.ranked_papers()
    assert [r.paper.arxiv_id for r in ranked] == ["2509.20001", "2509.20002"]
    assert ranked[0].rank == 1 and ranked[0].tags == ("compilers",) and ranked[0].collection == "C1"
    assert filled.latest_ranking_date() == DAY2 and filled.last_rank_run().outcome == "ok"


def test_rank_day_paper_shown_on_earlier_day_is_not_new(filled, config):
    rank_day(filled, tfidf(config), DAY1, now=NOW, library=LIBRARY)
    filled.record_keyword_hits("compiler", ["2509.10001"], on=DAY2)  # found again by a keyword watch
    summary = rank_day(filled, tfidf(config), DAY2, now=NOW, library=LIBRARY)
    assert summary.candidates == 3 and summary.dropped == {"shown_before": 1}
    assert "2509.10001" not in [r.paper.arxiv_id for r in filled.ranked_papers(DAY2)]


def test_rank_day_threshold_and_max_results_from_config(filled, config):
    summary = rank_day(filled, tfidf(config, ranking__max_results=1), DAY2, now=NOW, library=LIBRARY)
    assert summary.ranked == 1 and filled.count_ranked(DAY2) == 1
    summary = rank_day(filled, tfidf(config, ranking__threshold=0.99), DAY2, now=NOW, library=LIBRARY)
    assert filled.count_ranked(DAY2) == summary.ranked and summary.dropped.get("below_threshold", 0) >= 1


def test_rank_day_feedback_status_and_shift(filled, config):
    rank_day(filled, tfidf(config), DAY2, now=NOW, library=LIBRARY)
    before = {r.paper.arxiv_id: r.score for r in filled.ranked_papers(DAY2)}
    filled.set_feedback("2509.20002", "dismissed")
    filled.set_feedback("2509.10002", "saved")
    assert [r.status for r in filled.ranked_papers(DAY2)] == ["new", "dismissed"]
    assert filled.count_ranked(DAY2, status="dismissed") == 1 and filled.count_ranked(DAY2, status="new") == 1
    rank_day(filled, tfidf(config), DAY2, now=NOW, library=LIBRARY)
    after = {r.paper.arxiv_id: r.score for r in filled.ranked_papers(DAY2)}
    assert after["2509.20002"] < before["2509.20002"]
    assert filled.clear_feedback("2509.20002") and filled.ranked_papers(DAY2)[-1].status == "new"


@pytest.mark.parametrize("arxiv_id, action, error", [
    ("2509.20001", "liked", InvalidInputError), ("9999.99999", "saved", NotFoundError)])
def test_set_feedback_rejects_bad_input(filled, arxiv_id, action, error):
    with pytest.raises(error):
        filled.set_feedback(arxiv_id, action)


def test_ranked_papers_rejects_bad_status(filled):
    with pytest.raises(InvalidInputError):
        filled.ranked_papers(DAY2, status="maybe")


def test_save_ranking_rejects_bad_score_and_keeps_old_ranking(filled):
    filled.save_ranking(DAY2, [RankingRow("2509.20001", 0.5, "r")])
    with pytest.raises(InvalidInputError):
        filled.save_ranking(DAY2, [RankingRow("2509.20001", 0.4, "r"), RankingRow("2509.20002", 1.5, "bad")])
    assert [(r.paper.arxiv_id, r.score) for r in filled.ranked_papers(DAY2)] == [("2509.20001", 0.5)]


def test_rank_day_no_announcement_says_why(store, config):
    summary = rank_day(store, tfidf(config), now=NOW, library=LIBRARY)
    assert summary.outcome == "no_candidates" and "paperfeed fetch" in summary.line()


def test_rank_day_sample_store_uses_sample_library(store, config):
    from sync.sample import SAMPLE_DATE, sample_announcement

    store.upsert_entries(sample_announcement().entries, announce_date=SAMPLE_DATE, source="sample")
    summary = rank_day(store, tfidf(config), now=NOW)
    assert summary.library_source == "sample" and summary.library_size > 0 and summary.ranked > 0


class CountingModel:
    name = "fake"

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen += list(texts)
        return np.stack([np.full(384, (len(t) % 7 + 1) / 20, dtype=np.float32) for t in texts])


def test_caching_encoder_embeds_only_changed_texts(store):
    model = CountingModel()
    encoder = CachingEncoder(store, loader=lambda spec: model)
    first = encoder.encode(["a", "b", "c"])
    assert model.seen == ["a", "b", "c"] and store.count_embeddings() == 3
    again = CachingEncoder(store, loader=lambda spec: model).encode(["a", "b", "c changed"])
    assert model.seen == ["a", "b", "c", "c changed"]
    np.testing.assert_array_equal(first[:2], again[:2])


def test_cli_rank_and_list_show_scores_and_reasons(filled, config, monkeypatch):
    monkeypatch.setenv("PAPERFEED_RANKING_BACKEND", "tfidf")
    monkeypatch.setenv("PAPERFEED_RANKING_THRESHOLD", "0")
    runner = CliRunner()
    result = runner.invoke(cli, ["rank", "--date", "2025-09-24"])
    assert result.exit_code == 0, result.output
    assert "2025-09-24: 2 of 2 papers selected (tfidf" in result.output
    listed = runner.invoke(cli, ["list", "--date", "2025-09-24"])
    assert listed.exit_code == 0 and "why:" in listed.output and "  1. " in listed.output


def test_cli_rank_file_mode_round_trip(tmp_path):
    library = tmp_path / "library.jsonl"
    library.write_text("\n".join(json.dumps({"id": f"2501.0000{i}", "title": t, "abstract": a,
                                             "announced": "2025-01-02"}) for i, (t, a) in enumerate([
        ("Loop tiling compilers", "Polyhedral loop tiling in compilers."),
        ("Register allocation", "Graph coloring register allocation in compilers.")])) + "\n")
    candidates = tmp_path / "candidates.jsonl"
    candidates.write_text("\n".join(json.dumps({"id": i, "title": t, "abstract": a, "authors": ["A B"],
                                                "categories": ["cs.PL"]}) for i, t, a in [
        ("2509.1", "Cooking robots", "Robots cook."), ("2509.2", "Tiling compilers", "Loop tiling compilers.")]))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["rank", "--library", str(library), "--candidates", str(candidates),
                                      "--out", str(out)], env={"PAPERFEED_RANKING_BACKEND": "tfidf"})
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["2509.2", "2509.1"] and set(rows[0]) == {"id", "score", "reason", "tags"}
    assert rows[0]["score"] >= rows[1]["score"]


@pytest.mark.parametrize("content, message", [("{not json", "not JSON"), ('{"title": "x"}', "needs at least")])
def test_cli_rank_file_mode_bad_candidates(tmp_path, content, message):
    (tmp_path / "lib.jsonl").write_text("")
    (tmp_path / "c.jsonl").write_text(content)
    result = CliRunner().invoke(cli, ["rank", "--library", str(tmp_path / "lib.jsonl"), "--candidates",
                                      str(tmp_path / "c.jsonl"), "--out", str(tmp_path / "o.jsonl")],
                                env={"PAPERFEED_RANKING_BACKEND": "tfidf"})
    assert result.exit_code == 1 and message in result.output and not (tmp_path / "o.jsonl").exists()


def test_read_library_bibtex_and_zotero_json(tmp_path):
    from sync.ranking_files import read_library

    bib = tmp_path / "lib.bib"
    bib.write_text("@article{doe2024, title={{Loop Tiling}}, author={Doe, Jane and Roe, Max},"
                   " abstract={Tiling loops.}, eprint={2401.00001}, archiveprefix={arXiv}, keywords={compilers, loops}}\n")
    [item] = read_library(bib)
    assert (item.title, item.creators, item.arxiv_id, item.tags) == (
        "Loop Tiling", ("Doe, Jane", "Roe, Max"), "2401.00001", ("compilers", "loops"))
    zjson = tmp_path / "lib.json"
    zjson.write_text(json.dumps([{"key": "ABCD1234", "data": {"itemType": "journalArticle", "title": "T",
                                   "abstractNote": "A", "dateAdded": "2024-01-01T00:00:00Z",
                                   "creators": [{"firstName": "Jane", "lastName": "Doe"}],
                                   "tags": [{"tag": "x"}], "collections": ["C1"]}},
                                 {"key": "N1", "data": {"itemType": "note", "note": "n"}}]))
    [zitem] = read_library(zjson)
    assert (zitem.key, zitem.creators, zitem.tags, zitem.collections) == ("ABCD1234", ("Jane Doe",), ("x",), ("C1",))


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_cli_rank_file_mode_background_and_cache_dir(tmp_path):
    """--background is contrasted with the library; --cache-dir keeps embeddings so a second call embeds nothing."""
    pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
    library = _write_jsonl(tmp_path / "library.jsonl", [
        {"id": f"2501.000{i}", "title": t, "abstract": a, "announced": "2025-01-02"} for i, (t, a) in enumerate([
            ("Loop tiling compilers", "Polyhedral loop tiling in optimizing compilers."),
            ("Register allocation", "Graph coloring register allocation in compilers."),
            ("Vectorizing compilers", "Auto-vectorization of loops in compilers."),
            ("MLIR pipelines", "Compiler pipelines in MLIR lower tensor programs."),
            ("JIT compilation", "A just-in-time compiler for dynamic languages.")])])
    candidates = _write_jsonl(tmp_path / "candidates.jsonl", [
        {"id": "2509.1", "title": "Cooking robots", "abstract": "Robots cook dinner."},
        {"id": "2509.2", "title": "Tiling compilers revisited", "abstract": "Loop tiling in a compiler."}])
    background = _write_jsonl(tmp_path / "background.jsonl", [
        {"id": f"2508.{n:04d}", "title": f"Sentiment study {n}", "abstract": f"Tweets and sentiment, corpus {n}."}
        for n in range(60)])
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache"
    args = ["rank", "--library", str(library), "--candidates", str(candidates), "--background", str(background),
            "--out", str(out), "--cache-dir", str(cache)]
    first = CliRunner().invoke(cli, args, env={"PAPERFEED_RANKING_BACKEND": "hybrid"})
    assert first.exit_code == 0, first.output
    # the 60 given papers are completed with the candidates and the bundled starter papers, whose vectors
    # are bundled too: only the library, candidates and given background reach the model
    assert "background 944 papers (60 given, 2 candidates and 882 bundled)" in first.output
    assert "embedded 67 new texts" in first.output
    assert (cache / "embeddings.sqlite3").is_file()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["2509.2", "2509.1"]
    again = CliRunner().invoke(cli, args, env={"PAPERFEED_RANKING_BACKEND": "hybrid"})
    assert again.exit_code == 0 and "embedded 0 new texts" in again.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == rows
    # a warm call as its own process loads neither the model nor scikit-learn (their imports alone
    # take seconds): every text comes from the cache, the linear models are sync.ranking.linear
    warm = subprocess.run([sys.executable, "-X", "importtime", "-m", "server.cli", *args], capture_output=True,
                          text=True, env={**os.environ, "PAPERFEED_RANKING_BACKEND": "hybrid",
                                          "PAPERFEED_CONFIG": str(tmp_path / "none.toml"),
                                          "PAPERFEED_STORAGE_DATA_DIR": str(tmp_path / "data")}, timeout=300)
    assert warm.returncode == 0 and "embedded 0 new texts" in warm.stdout, warm.stdout + warm.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "sync.ranking.linear" in imported
    assert not {m for m in imported if m.split(".")[0] in ("sklearn", "torch", "sentence_transformers")}
    assert [json.loads(line) for line in out.read_text().splitlines()] == rows
    # without --background the candidates are the background, with the starter papers
    plain = CliRunner().invoke(cli, args[:5] + args[7:], env={"PAPERFEED_RANKING_BACKEND": "tfidf"})
    assert plain.exit_code == 0 and "background 884 papers (2 candidates and 882 bundled)" in plain.output
