"""The dev data set of real arXiv papers (``../shared/data/`` beside the repository root), for tests."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

DEV_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "arxiv-papers-2025-dev.jsonl.gz"


def dev_records(limit: int | None = None) -> list[dict]:
    """The first ``limit`` records (all by default); the test is skipped when the data set is missing."""
    if not DEV_DATA.is_file():
        pytest.skip(f"dev data set not found at {DEV_DATA}")
    with gzip.open(DEV_DATA, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in islice(fh, limit)]
