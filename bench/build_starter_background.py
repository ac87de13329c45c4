"""Build the bundled starter background from the dev data set. Run from the repository root:

    .venv/bin/python bench/build_starter_background.py

Writes ``sync/sample_data/background.jsonl.gz``: every paper of the dev data set announced before
2025-04-21 (the first tuning day of the ranking benchmarks, so before every candidate day of
``bench/bench_ranking.py`` and ``bench/bench_feedback.py``; 882 papers of four announcement days), with
non-arXiv classification codes dropped from ``categories`` as in the other sample files; and
``sync/sample_data/background-vectors.npy``: their all-MiniLM-L6-v2 embeddings (float16, the file's order),
so that a ranker topping up a short background with them does not spend ~20 s embedding them.
See ``sync.rank_stage.with_starter_background`` for how they are used.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dev_data import REPO_ROOT, add_data_option, load_records  # noqa: E402

BEFORE = "2025-04-21"
OUT_DIR = REPO_ROOT / "sync" / "sample_data"


def _list(value) -> list:
    return value if isinstance(value, list) else ast.literal_eval(value or "[]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_option(parser)
    args = parser.parse_args(argv)
    from sync.arxiv.feed_parser import arxiv_categories  # drops the MSC/ACM codes some sources mix in

    records = [{"id": r["id"], "announced": r["announced"], "title": r["title"], "authors": _list(r["authors"]),
                "categories": list(arxiv_categories(_list(r["categories"]))),
                "comment": r.get("comment") or "", "abstract": r["abstract"]}
               for r in load_records(args.data) if r["announced"] < BEFORE]
    records.sort(key=lambda r: (r["announced"], r["id"]))
    with gzip.GzipFile(OUT_DIR / "background.jsonl.gz", "wb", mtime=0) as out:
        for record in records:
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))

    from sync.ranking.backends import MODEL_NAME, SentenceEncoder
    from sync.ranking.text import document_text
    from sync.sample import paper_from_record

    papers = [paper_from_record(r) for r in records]
    vectors = SentenceEncoder.load(MODEL_NAME).encode([document_text(p.title, p.abstract) for p in papers])
    np.save(OUT_DIR / "background-vectors.npy", vectors.astype(np.float16))
    days = sorted({r["announced"] for r in records})
    print(f"{len(records)} papers of {len(days)} announcement days ({days[0]} .. {days[-1]}) -> {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
