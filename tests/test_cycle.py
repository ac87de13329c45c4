"""The daily cycle's orchestration and its cross-process lock.

Stages that talk to arXiv or Zotero are injected, and the ranker is replaced by
fixed scores stored through the ranking store API; fetch in sample mode and the
report/delivery stages are the real ones.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from sync.cycle import Stages, run_cycle
from sync.cycle_lock import CYCLE_LOCK, cycle_lock
from sync.errors import BusyError, ZoteroUnavailableError
from sync.fetch import run_fetch
from sync.models import FetchOutcome, FetchSummary
from sync.reports import EmptyReason
from sync.sample import SAMPLE_DATE
from tests.support.report_data import rank

NOW = datetime(2025, 9, 24, 1, 0, tzinfo=timezone.utc)


class Recorder:
    """Fake remote stages that record their calls."""

    def __init__(self, report_store, outcome: FetchOutcome = FetchOutcome.OK):
        self.report_store = report_store
        self.outcome = outcome
        self.calls: list[str] = []

    def fetch(self, store, config, *, sample, progress, day=None):
        self.calls.append("fetch")
        if sample:
            return run_fetch(store, config, sample=True)
        day = date(2025, 9, 25)
        run = store.start_fetch_run(kind="feed", query="local")
        message = "HTTP 503 after 4 retries" if self.outcome is FetchOutcome.UNREACHABLE else ""
        store.finish_fetch_run(run, outcome=self.outcome, announce_date=day if self.outcome is not
                               FetchOutcome.UNREACHABLE else None, message=message)
        return FetchSummary(categories=("cs.DC",), announce_date=day, outcome=self.outcome, message=message)

    def rank(self, store, config, day, *, now, library):
        self.calls.append(f"rank {day} library={'sample' if library else 'zotero'}")
        papers = store.announced_papers(day)[:5]
        rank(store, day, [(p.arxiv_id, 0.9 - i / 10, "similar to your library", ("t",))
                                              for i, p in enumerate(papers)])
        return None

    def pull(self, store, config, *, progress):
        self.calls.append("pull")
        raise ZoteroUnavailableError("Zotero answered 503")

    def push(self, store, config):
        self.calls.append("push")
        return None

    def stages(self) -> Stages:
        return Stages(fetch=self.fetch, pull=self.pull, rank=self.rank, push=self.push)


@pytest.fixture
def report_store(store):
    return store


def test_run_cycle_sample_produces_complete_report(report_store, config):
    recorder = Recorder(report_store)
    result = run_cycle(config, report_store, sample=True, now=NOW, stages=recorder.stages())
    assert result.ok and result.day == SAMPLE_DATE
    assert [(s.name, s.status) for s in result.steps] == [
        ("fetch", "ok"), ("zotero pull", "skipped"), ("rank", "ok"), ("report", "ok"), ("outbox push", "skipped")]
    assert recorder.calls == ["fetch", f"rank {SAMPLE_DATE} library=sample"]
    md = result.files[0].read_text()
    assert md.startswith("# arXiv cs.AI, cs.CL, cs.CV, cs.LG daily report")
    assert "Found 5 relevant papers" in md and "bundled sample data" in md
    assert "| Title | Date | Abstract | Comment |" in md  # sample keyword watches filled offline
    assert [p.suffix for p in result.files] == [".md", ".html"]
    run = report_store.last_cycle_run()
    assert run.status == "ok" and run.day == SAMPLE_DATE and run.sample and len(run.steps) == 5


def test_run_cycle_twice_is_idempotent(report_store, config):
    recorder = Recorder(report_store)
    first = run_cycle(config, report_store, sample=True, now=NOW, stages=recorder.stages())
    text = first.files[1].read_text()
    papers = report_store.count_papers()
    second = run_cycle(config, report_store, sample=True, now=NOW, stages=recorder.stages())
    assert second.ok and second.files == first.files
    assert second.files[1].read_text() == text and report_store.count_papers() == papers
    assert len(report_store.cycle_runs()) == 2


def test_run_cycle_unreachable_fails_but_still_reports_reason(report_store, config):
    recorder = Recorder(report_store, FetchOutcome.UNREACHABLE)
    result = run_cycle(config, report_store, now=NOW, stages=recorder.stages())
    assert not result.ok and [s.name for s in result.failed] == ["fetch"]
    assert {s.name: s.status for s in result.steps}["rank"] == "skipped"
    assert result.report.empty_reason is EmptyReason.UNREACHABLE
    assert "HTTP 503 after 4 retries" in result.files[0].read_text()
    assert report_store.last_cycle_run().status == "failed"


def test_run_cycle_no_announcement_is_not_a_failure(report_store, config):
    recorder = Recorder(report_store, FetchOutcome.NO_ANNOUNCEMENT)
    result = run_cycle(config, report_store, now=NOW, stages=recorder.stages())
    assert result.ok
    assert result.report.empty_reason is EmptyReason.NO_ANNOUNCEMENT and result.day == date(2025, 9, 25)


def test_run_cycle_zotero_failure_keeps_going(report_store, config):
    recorder = Recorder(report_store, FetchOutcome.NO_ANNOUNCEMENT)
    zotero = config.with_values(zotero__library_id="123", zotero__api_key="k" * 24)
    result = run_cycle(zotero, report_store, now=NOW, stages=recorder.stages())
    statuses = {s.name: (s.status, s.message) for s in result.steps}
    assert statuses["zotero pull"] == ("failed", "Zotero answered 503")
    assert statuses["report"][0] == "ok" and statuses["outbox push"][0] == "ok"
    assert recorder.calls == ["fetch", "pull", "push"] and not result.ok


def test_run_cycle_without_zotero_skips_pull_and_push(report_store, config):
    recorder = Recorder(report_store, FetchOutcome.NO_ANNOUNCEMENT)
    result = run_cycle(config, report_store, now=NOW, stages=recorder.stages())
    statuses = {s.name: s for s in result.steps}
    assert statuses["zotero pull"].status == "skipped" and "not configured" in statuses["zotero pull"].message
    assert "pull" not in recorder.calls and "push" not in recorder.calls


def test_run_cycle_busy_when_lock_held(report_store, config):
    with cycle_lock(report_store):
        with pytest.raises(BusyError, match="another daily cycle is running"):
            run_cycle(config, report_store, sample=True, now=NOW, stages=Recorder(report_store).stages())
    assert report_store.lock_holder(CYCLE_LOCK) is None


def test_cycle_lock_expired_lock_is_taken_over(store):
    now = datetime.now(timezone.utc)
    assert store.try_acquire_lock(CYCLE_LOCK, token="old", pid=1, host="elsewhere", ttl_seconds=60,
                                  now=now - timedelta(hours=1)) is None
    with cycle_lock(store, now=now):
        assert store.lock_holder(CYCLE_LOCK).owner_pid == os.getpid()
    assert store.lock_holder(CYCLE_LOCK) is None


def test_cycle_lock_live_lock_elsewhere_is_respected(store):
    now = datetime.now(timezone.utc)
    store.try_acquire_lock(CYCLE_LOCK, token="other", pid=1, host="another-host", ttl_seconds=600, now=now)
    with pytest.raises(BusyError, match="pid 1 on another-host"):
        with cycle_lock(store, now=now):
            pass
    assert store.lock_holder(CYCLE_LOCK).token == "other"  # a failed attempt never frees someone's lock


HOLDER = textwrap.dedent("""
    import sys, time
    from sync.cycle_lock import cycle_lock
    from sync.store import Store
    store = Store(sys.argv[1])
    with cycle_lock(store):
        print("held", flush=True)
        time.sleep(60)
""")


def test_cycle_lock_across_processes_and_dead_owner_recovered(store, tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(BusyError, match=f"pid {proc.pid} on {socket.gethostname()}"):
            with cycle_lock(store):
                pass
    finally:
        proc.kill()
        proc.wait()
    # the holder died without releasing: its row is still there, but a dead local pid is stale
    assert store.lock_holder(CYCLE_LOCK).owner_pid == proc.pid
    with cycle_lock(store):
        assert store.lock_holder(CYCLE_LOCK).owner_pid == os.getpid()


def test_cycle_lock_only_one_of_two_racing_processes_wins(store, tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        deadline = time.time() + 20
        while time.time() < deadline and sum(p.poll() is not None for p in procs) < 1:
            time.sleep(0.05)
        finished = [p for p in procs if p.poll() is not None]
        assert len(finished) == 1 and "another daily cycle is running" in finished[0].stderr.read()
        running = [p for p in procs if p.poll() is None]
        assert running[0].stdout.readline().strip() == "held"
    finally:
        for p in procs:
            p.kill()
            p.wait()
