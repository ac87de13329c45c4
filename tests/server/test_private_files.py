"""The store is private from creation, a config file others can read is reported, secrets are
shown only as "set" / "not set" (issue 13), checked against a real ``paperfeed serve``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sync.settings import load_config
from sync.store import Store
from tests.server.live import REPO, free_port, paperfeed_serve, raw_request

TOKEN = "serve-token-0123456789abcdefghij"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the common default: files 644, directories 755
    yield
    os.umask(old)


def write_config(tmp_path: Path, *, file_mode: int = 0o600, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[server]\ntoken = "{TOKEN}"\n{extra}[storage]\ndata_dir = "{tmp_path / "data"}"\n',
                    encoding="utf-8")
    path.chmod(file_mode)
    return path


def test_new_store_is_600_in_a_700_directory(tmp_path, loose_umask):
    store = Store(tmp_path / "data" / "paperfeed.sqlite3")
    try:
        from tests.server.conftest import sample_papers, seed_day

        seed_day(store, sample_papers(3))  # writes: the -wal and -shm files exist
        files = sorted(p.name for p in (tmp_path / "data").iterdir())
        assert {"paperfeed.sqlite3", "paperfeed.sqlite3-wal", "paperfeed.sqlite3-shm"} <= set(files), files
        assert mode(tmp_path / "data") == 0o700
        for name in files:
            assert mode(tmp_path / "data" / name) == 0o600, name
    finally:
        store.close()


def test_older_store_is_tightened(tmp_path, loose_umask):
    data = tmp_path / "data"
    Store(data / "paperfeed.sqlite3").close()
    data.chmod(0o755)
    for path in data.iterdir():
        path.chmod(0o644)
    Store(data / "paperfeed.sqlite3").close()
    assert mode(data) == 0o700
    assert all(mode(path) == 0o600 for path in data.iterdir())


def test_paperfeed_serve_creates_a_private_store(tmp_path, loose_umask):
    config_path = write_config(tmp_path)
    with paperfeed_serve(config_path, port=free_port()) as (url, _log):
        assert requests.get(f"{url}/api/papers", headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=10).status_code == 200
        data = tmp_path / "data"
        assert mode(data) == 0o700
        names = {p.name for p in data.iterdir()}
        assert "paperfeed.sqlite3" in names
        for name in names:
            assert mode(data / name) == 0o600, name
        health = requests.get(f"{url}/api/health", timeout=10).json()
        assert health["problems"] == []


def test_readable_config_with_a_secret_is_reported_by_serve_and_health(tmp_path):
    config_path = write_config(tmp_path, file_mode=0o644)
    with paperfeed_serve(config_path, port=free_port()) as (url, log):
        health = requests.get(f"{url}/api/health", timeout=10).json()
        assert len(health["problems"]) == 1
        problem = health["problems"][0]
        assert "server.token" in problem and "chmod 600" in problem
        assert str(config_path) not in problem and TOKEN not in problem  # health needs no token
        # paperfeed serve's own answers to broken requests are JSON too
        status, headers, body = raw_request(url, b"POST /api/sync HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                 b"Content-Length: 99999999\r\n\r\n")
        assert status == 413 and headers["content-type"] == "application/json"
        assert b'"payload_too_large"' in body
        assert requests.get(f"{url}/api/health", headers={"Host": "evil.example"}, timeout=10).status_code == 421
    assert "warning: the config file" in log.read_text() and str(config_path) in log.read_text()


def _cli(config_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERFEED_CONFIG": str(config_path)}
    env.pop("PAPERFEED_SERVER_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)


def test_cli_warns_about_a_readable_config_holding_a_secret(tmp_path):
    config_path = write_config(tmp_path, file_mode=0o640)
    shown = _cli(config_path, "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert "warning: the config file" in shown.stderr and "server.token" in shown.stderr
    assert "chmod 600" in shown.stderr
    config_path.chmod(0o600)
    assert "warning" not in _cli(config_path, "config", "show").stderr


def test_readable_config_without_secrets_is_fine(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[arxiv]\ncategories = ["cs.DC"]\n', encoding="utf-8")
    path.chmod(0o644)
    config = load_config(path, environ={"PAPERFEED_SERVER_TOKEN": "from-the-environment-0123456789"})
    from sync.settings import config_file_problems

    assert config_file_problems(config) == []


def test_config_show_says_only_set_or_not_set(tmp_path):
    config_path = write_config(tmp_path)
    config_path.write_text(config_path.read_text() + '[zotero]\napi_key = "ZOTERO-KEY-abcdefWXYZ"\n')
    shown = _cli(config_path, "config", "show")
    assert 'zotero.api_key = "set"' in shown.stdout and 'server.token = "set"' in shown.stdout
    assert 'email.password = "not set"' in shown.stdout
    assert "WXYZ" not in shown.stdout and TOKEN[-4:] not in shown.stdout
    as_json = _cli(config_path, "config", "show", "--json")
    assert "WXYZ" not in as_json.stdout and '"set"' in as_json.stdout


def test_init_creates_a_feed_token_and_feed_token_rotates_it(tmp_path):
    config_path = tmp_path / "config.toml"
    env_config = config_path
    created = _cli(env_config, "init")
    assert created.returncode == 0, created.stderr
    config = load_config(config_path, environ={})
    first = config["server.feed_token"]
    assert len(first) >= 32 and first != config["server.token"]
    shown = _cli(config_path, "feed-token")
    assert shown.stdout.strip() == f"http://127.0.0.1:8765/feed.atom?token={first}"
    rotated = _cli(config_path, "feed-token", "--rotate")
    assert rotated.returncode == 0, rotated.stderr
    second = load_config(config_path, environ={})["server.feed_token"]
    assert second != first and rotated.stdout.strip().endswith(f"?token={second}")
    assert "401" in rotated.stderr
    assert mode(config_path) == 0o600
    after = load_config(config_path, environ={})
    assert after["server.token"] == config["server.token"]  # nothing else changed
    assert config_path.read_text().count("feed_token =") == 1


def test_rotating_the_feed_token_revokes_the_old_url_of_a_running_serve(tmp_path):
    config_path = write_config(tmp_path)  # an older config: no feed token yet
    assert "no feed token" in _cli(config_path, "feed-token").stderr
    assert _cli(config_path, "feed-token", "--rotate").returncode == 0
    old = load_config(config_path, environ={})["server.feed_token"]
    with paperfeed_serve(config_path, port=free_port()) as (url, _log):
        assert requests.get(f"{url}/feed.atom", params={"token": old}, timeout=10).status_code == 200
        response = requests.get(f"{url}/feed.atom", params={"token": TOKEN}, timeout=10)
        assert response.status_code == 401 and response.json()["error"]["code"] == "token_in_url"
        rotated = _cli(config_path, "feed-token", "--rotate")
        assert rotated.returncode == 0, rotated.stderr
        new = load_config(config_path, environ={})["server.feed_token"]
        assert new != old and rotated.stdout.strip().endswith(f"/feed.atom?token={new}")
        gone = requests.get(f"{url}/feed.atom", params={"token": old}, timeout=10)
        assert gone.status_code == 401 and gone.json()["error"]["code"] == "invalid_feed_token"
        assert requests.get(f"{url}/feed.atom", params={"token": new}, timeout=10).status_code == 200
        # a config file that does not load (mid-edit) keeps the last good token
        config_path.write_text(config_path.read_text() + "[nonsense\n")
        assert requests.get(f"{url}/feed.atom", params={"token": new}, timeout=10).status_code == 200
