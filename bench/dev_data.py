"""Where the benchmarks find the dev data set: real arXiv papers, one JSON object per line.

Every benchmark takes ``--data PATH``; the default is ``../shared/data/arxiv-papers-2025-dev.jsonl.gz``
beside the repository root, so no machine's absolute path is written anywhere.
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "arxiv-papers-2025-dev.jsonl.gz"


def add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the dev data set (JSON lines, gzip); default: ../shared/data/"
                             "arxiv-papers-2025-dev.jsonl.gz beside the repository root")


def require(path: Path) -> Path:
    """The data set's path, or a clear exit when it is missing."""
    if not path.is_file():
        raise SystemExit(f"error: dev data set not found at {path}; pass --data PATH "
                         "(default: ../shared/data/arxiv-papers-2025-dev.jsonl.gz beside the repository)")
    return path


def load_records(path: Path = DEFAULT_DATA, limit: int | None = None) -> list[dict]:
    """Every record of the data set (or the first ``limit``)."""
    records: list[dict] = []
    with gzip.open(require(path), "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
                if limit is not None and len(records) >= limit:
                    break
    return records
