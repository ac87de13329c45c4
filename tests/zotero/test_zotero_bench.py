"""The Zotero benchmark's core at a tiny size, so its request counts (and the benchmark) cannot rot."""

from __future__ import annotations

import importlib.util
import math
import os
import sys
from datetime import date
from pathlib import Path

import pytest

BENCH_PATH = Path(__file__).resolve().parents[2] / "bench" / "bench_zotero.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_zotero", BENCH_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def result(bench):
    # data_path=None: the bundled sample's real papers, as on CI (no ../shared)
    return bench.run_benchmark(items=50, saves=5, data_path=None)


def test_bench_zotero_request_counts_match_the_protocol(result):
    rows = result.rows
    # versions + collection versions + collections by key (<= 50) + 50 items by key (50 per request)
    assert rows["first_sync"].requests == rows["first_sync"].client_requests == 2 + 1 + math.ceil(50 / 50)
    assert rows["resync"].requests == rows["resync"].client_requests == 1
    assert rows["save_paper"].requests == 5 + 1  # one per click, plus creating the collection once
    assert rows["outbox_push"].requests == rows["outbox_push"].client_requests == 1 + 1  # <= 20 objects + collection
    # the saves' conditional writes (If-Unmodified-Since-Version) kept the index current: one 304
    assert rows["sync_after"].requests == rows["sync_after"].client_requests == 1
    assert rows["baseline"].requests == 1  # 50 items fit in one page of 100
    # Zotero hanging: the run itself checks the budgets (8 saves < 2 s, health < 200 ms, once)
    assert rows["hanging"].seconds < 2.0 and "exactly once" in rows["hanging"].detail
    assert all(row.seconds > 0 for row in rows.values())


def test_bench_zotero_table_lists_every_scenario_with_estimates(bench, result):
    table = bench.markdown_table(result)
    lines = table.splitlines()
    assert len(lines) == 2 + len(result.rows)
    assert "estimate at 100 ms/request" in lines[0] and "estimate at 300 ms/request" in lines[0]
    resync = next(line for line in lines if line.startswith("| unchanged re-sync"))
    assert resync.split(" | ")[1:3] == ["1", "1"] and "~100 ms" in resync and "~300 ms" in resync


def test_bench_zotero_doc_section_replaces_only_its_own_section(bench, result, tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n\n## API load\n\nkeep me\n", encoding="utf-8")
    section = bench.doc_section(result, bench.markdown_table(result))
    bench.write_doc_section(section, doc)
    bench.write_doc_section(section.replace("Notes:", "Notes (rerun):"), doc)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nintro\n\n## API load\n\nkeep me\n\n## Zotero\n")
    assert text.count("## Zotero") == 1 and "Notes (rerun):" in text and "Notes:\n" not in text
    assert f"{os.cpu_count()} cores" in section and date.today().isoformat() in section
    assert "estimates are estimates" in section
