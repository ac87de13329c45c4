"""Fixtures for the Zotero tests: a local Zotero API server and a config pointing at it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.settings import Config
from tests.support.zotero_server import ZoteroServer


@pytest.fixture
def zotero_server():
    with ZoteroServer(api_key="test-api-key", user_id=1) as server:
        yield server


@pytest.fixture
def zconfig(tmp_path: Path, zotero_server: ZoteroServer) -> Config:
    """Zotero configured against the local server; retry waits kept short through settings."""
    return Config({
        "storage.data_dir": str(tmp_path / "data"), "zotero.library_id": "1", "zotero.api_key": "test-api-key",
        "zotero.api_url": zotero_server.url, "zotero.max_wait_seconds": 2.0, "zotero.retry_base_seconds": 0.01,
        "zotero.max_retries": 3, "zotero.timeout_seconds": 5.0,
        # an arXiv that refuses connections at once: lookups of unknown papers fail fast
        "arxiv.api_url": "http://127.0.0.1:9/api/query", "arxiv.max_retries": 0, "arxiv.delay_seconds": 0.0,
    }, path=tmp_path / "config.toml")
