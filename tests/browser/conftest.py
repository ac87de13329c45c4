"""Fixtures of the extension tests: a live paperfeed (serve + Zotero test server) per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.harness import LivePaperfeed, start_paperfeed, stop_paperfeed


@pytest.fixture
def live_paperfeed(tmp_path: Path) -> LivePaperfeed:
    live = start_paperfeed(tmp_path)
    yield live
    stop_paperfeed(live)
