"""The CLI as a user types it (click's runner, isolated config and data dir)."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from sync.cli import cli


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_cli_fetch_sample_then_list_today_shows_real_papers(run):
    fetched = run("fetch", "--sample")
    assert fetched.exit_code == 0, fetched.output
    assert "231 new, 4 cross-lists, 0 updated" in fetched.output
    listed = run("list", "--today", "--limit", "5")
    assert listed.exit_code == 0
    assert "2025-09-24: 235 papers, showing 5" in listed.output
    assert "CAR-Flow: Condition-Aware Reparameterization" in listed.output  # title
    assert "Chen Chen, Pengsheng Guo, Liangchen Song et al." in listed.output  # authors
    assert "cs.CV, cs.GR" in listed.output  # categories


def test_cli_list_before_any_fetch_says_what_to_do(run):
    result = run("list", "--today")
    assert result.exit_code == 0
    assert "paperfeed fetch" in result.output


def test_cli_init_writes_private_config_and_refuses_overwrite(run, tmp_path):
    result = run("init")
    assert result.exit_code == 0, result.output
    path = tmp_path / "config.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = run("init")
    assert again.exit_code == 1 and "already exists" in again.output


def test_cli_config_show_masks_the_token(run):
    run("init")
    shown = run("config", "show")
    token = run("config", "show", "--reveal-token").output.strip()
    assert len(token) > 20
    assert token not in shown.output and token[-4:] not in shown.output
    assert 'server.token = "set"' in shown.output and 'zotero.api_key = "not set"' in shown.output


def test_cli_bad_config_is_a_message_not_a_traceback(run, tmp_path):
    (tmp_path / "config.toml").write_text("[arxiv]\ncategories = 3\n")
    result = run("fetch")
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_cli_bad_date_is_a_usage_error(run):
    result = run("fetch", "--date", "yesterday")
    assert result.exit_code == 2
    assert "Invalid value for '--date'" in result.output


def test_cli_fetch_arxiv_down_exits_1_with_reason(run, monkeypatch):
    from tests.support.arxiv_server import LocalArxiv, Reply

    with LocalArxiv() as local:
        local.feed = lambda cats: Reply(503, b"", {"Retry-After": "0"})
        for name, value in local.settings().items():
            monkeypatch.setenv("PAPERFEED_" + name.replace(".", "_").upper(), str(value))
        runner = CliRunner()
        result = runner.invoke(cli, ["fetch"])
    assert result.exit_code == 1
    assert "cs.DC+cs.PL+cs.PF+cs.NI: arXiv unreachable (arXiv unreachable after 3 attempts: HTTP 503)" in result.output


def test_cli_fetch_future_date_is_a_clear_error(run):
    result = run("fetch", "--date", "2999-01-04")
    assert result.exit_code == 1
    assert "2999-01-04 is in the future" in result.output


def test_cli_list_weekend_says_arxiv_does_not_announce(run):
    run("fetch", "--sample")
    result = run("list", "--date", "2025-09-27")
    assert result.exit_code == 0
    assert "arXiv does not announce on weekends and holidays" in result.output


def test_cli_explicit_missing_config_file_is_an_error(run, tmp_path):
    missing = tmp_path / "nope.toml"
    result = run("--config", str(missing), "list")
    assert result.exit_code == 1
    assert f"config file {missing} not found" in result.output
    assert run("--config", str(missing), "init").exit_code == 0  # init creates it
    assert run("--config", str(missing), "list").exit_code == 0
