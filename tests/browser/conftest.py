"""Fixtures of the extension tests: a live paperfeed (serve + Zotero test server) per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import LivePaperfeed, seeded_data_dir, start_paperfeed, stop_paperfeed


@pytest.fixture(scope="session")
def seeded_store_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Fetch, pull and rank once per session (ranking loads the embeddings model); tests copy it."""
    return seeded_data_dir(tmp_path_factory.mktemp("paperfeed-seed"))


@pytest.fixture
def live_paperfeed(tmp_path: Path, seeded_store_template: tuple[Path, int]) -> LivePaperfeed:
    live = start_paperfeed(tmp_path, seeded_store_template)
    yield live
    stop_paperfeed(live)
