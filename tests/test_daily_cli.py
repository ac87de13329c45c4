"""``paperfeed daily`` and ``paperfeed report``: errors through click (the full run: test_daily_sample_e2e.py)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.cycle_lock import CYCLE_LOCK
from sync.store import Store


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _data_dir() -> Path:
    return Path(os.environ["PAPERFEED_STORAGE_DATA_DIR"])


def test_daily_busy_lock_is_clear_error(runner):
    store = Store(_data_dir() / "paperfeed.sqlite3")
    store.try_acquire_lock(CYCLE_LOCK, token="x", pid=1, host="other-host", ttl_seconds=600,
                           now=datetime.now(timezone.utc))
    result = runner.invoke(cli, ["daily", "--sample"])
    assert result.exit_code == 1
    assert "error: another daily cycle is running (pid 1 on other-host" in result.output


def test_report_unknown_format_is_usage_error(runner):
    result = runner.invoke(cli, ["report", "--format", "pdf"])
    assert result.exit_code == 2 and "'pdf' is not one of 'md', 'html'" in result.output


def test_report_bad_date_is_usage_error(runner):
    result = runner.invoke(cli, ["report", "--date", "2025-13-40"])
    assert result.exit_code == 2 and "--date" in result.output
