"""Shared fixtures: an isolated config and store per test, paths to the recorded fixtures."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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


# PostgreSQL ---------------------------------------------------------------------------------
# The real server from Debian's postgresql package, started by tests/support/pg_cluster.sh (.ci/run
# does this). Without PAPERFEED_TEST_POSTGRES_URL the PostgreSQL variants are skipped, except on CI
# (CI=true), where a missing server is a failure: the PostgreSQL tests must never silently vanish.
PG_URL_ENV = "PAPERFEED_TEST_POSTGRES_URL"


def database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get(PG_URL_ENV, "")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {PG_URL_ENV} is not set: start tests/support/pg_cluster.sh (see .ci/run)")
        pytest.skip(f"no PostgreSQL server ({PG_URL_ENV} unset; see tests/support/pg_cluster.sh)")
    import psycopg

    template = f"pf_template_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {template}")
        conn.execute(f"CREATE DATABASE {template} TEMPLATE template0")
    migrated = Store(database_url(url, template))  # every migration, once: each test copies the result
    migrated.close()
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")


@pytest.fixture
def pg_url(pg_server_url: str) -> str:
    """A fresh, migrated PostgreSQL database of its own for one test (dropped afterwards)."""
    import psycopg

    name = f"pf_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE pf_template_{os.getpid()}")
    yield database_url(pg_server_url, name)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request, tmp_path: Path) -> str | Path:
    """Where a store lives, once per engine: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "engine" / "paperfeed.sqlite3"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine_store(store_target) -> Store:
    """A store on each engine in turn (tests using it run twice)."""
    s = Store(store_target)
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
    for name in ("PAPERFEED_ZOTERO_API_KEY", "PAPERFEED_SERVER_TOKEN", "PAPERFEED_ZOTERO_LIBRARY_ID",
                 "PAPERFEED_STORE_URL", "PAPERFEED_LAB_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_arxiv():
    """A local arXiv over real HTTP serving recorded responses (see tests/support/arxiv_server.py)."""
    with LocalArxiv() as server:
        yield server
