"""Shared fixtures: an isolated config and store per test, paths to the recorded fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from sync.settings import Config
from sync.store import Store
from tests.support.arxiv_server import LocalArxiv

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Defaults with the data dir inside the test's tmp dir."""
    return Config({"storage.data_dir": str(tmp_path / "data")}, path=tmp_path / "config.toml")


@pytest.fixture
def store(config: Config) -> Store:
    s = Store(config.store_path)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _stop_outbox_pushers():
    """A test app's background outbox pusher (started by its first save) stops with the test."""
    yield
    from sync.saving.pusher import OutboxPusher

    for pusher in list(OutboxPusher.instances):
        if pusher.running:
            pusher.stop()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never read the developer's real config or data dir."""
    monkeypatch.setenv("PAPERFEED_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PAPERFEED_STORAGE_DATA_DIR", str(tmp_path / "data"))
    for name in ("PAPERFEED_ZOTERO_API_KEY", "PAPERFEED_SERVER_TOKEN", "PAPERFEED_ZOTERO_LIBRARY_ID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_arxiv():
    """A local arXiv over real HTTP serving recorded responses (see tests/support/arxiv_server.py)."""
    with LocalArxiv() as server:
        yield server
