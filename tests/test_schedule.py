"""The schedule: right across DST changes, never Friday/Saturday evenings, run by APScheduler."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.arxiv.calendar import EASTERN
from sync.errors import BusyError, ConfigError, PaperfeedError
from sync.schedule import AnnouncementTrigger, BackgroundSchedule, next_run

UTC = timezone.utc


def et(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


@pytest.mark.parametrize("after, expected_utc", [
    # an ordinary Tuesday (EDT, UTC-4): that evening 20:30
    (et(2025, 9, 23, 12, 0), datetime(2025, 9, 24, 0, 30, tzinfo=UTC)),
    # exactly at the slot: strictly after, so the next evening
    (et(2025, 9, 23, 20, 30), datetime(2025, 9, 25, 0, 30, tzinfo=UTC)),
    # Thursday after the slot: skip Friday and Saturday evenings, run Sunday
    (et(2025, 9, 25, 21, 0), datetime(2025, 9, 29, 0, 30, tzinfo=UTC)),
    (et(2025, 9, 26, 20, 29), datetime(2025, 9, 29, 0, 30, tzinfo=UTC)),  # Friday evening: not a slot
    (et(2025, 9, 27, 23, 0), datetime(2025, 9, 29, 0, 30, tzinfo=UTC)),  # Saturday: neither
    # March 2026: DST starts Sunday 2026-03-08 02:00. Thursday before: 20:30 EST = 01:30 UTC
    (et(2026, 3, 5, 12, 0), datetime(2026, 3, 6, 1, 30, tzinfo=UTC)),
    # ...the next run after it is Sunday 20:30 EDT = 00:30 UTC, the DST change in between
    (et(2026, 3, 5, 21, 0), datetime(2026, 3, 9, 0, 30, tzinfo=UTC)),
    # on the change day itself, before and after 02:00
    (et(2026, 3, 8, 1, 30), datetime(2026, 3, 9, 0, 30, tzinfo=UTC)),
    # November 2025: DST ends Sunday 2025-11-02 02:00. Thursday before: 20:30 EDT = 00:30 UTC
    (et(2025, 10, 30, 12, 0), datetime(2025, 10, 31, 0, 30, tzinfo=UTC)),
    # ...next after it: Sunday 20:30 EST = 01:30 UTC
    (et(2025, 10, 30, 21, 0), datetime(2025, 11, 3, 1, 30, tzinfo=UTC)),
    # the repeated hour (01:30 happens twice on 2025-11-02)
    (datetime(2025, 11, 2, 5, 30, tzinfo=UTC), datetime(2025, 11, 3, 1, 30, tzinfo=UTC)),
    (datetime(2025, 11, 2, 6, 30, tzinfo=UTC), datetime(2025, 11, 3, 1, 30, tzinfo=UTC)),
])
def test_next_run_dst_and_weekends(after, expected_utc):
    result = next_run(after, delay_minutes=30)
    assert result == expected_utc
    local = result.astimezone(EASTERN)
    assert (local.hour, local.minute) == (20, 30) and local.strftime("%a") in {"Sun", "Mon", "Tue", "Wed", "Thu"}


@settings(max_examples=300, deadline=None)
@given(after=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31),
                          timezones=st.just(UTC)),
       delay=st.integers(min_value=0, max_value=300))
def test_next_run_is_the_first_slot_after(after, delay):
    result = next_run(after, delay_minutes=delay)
    assert result > after
    assert result - after <= timedelta(days=3, hours=6)  # Thursday evening to Sunday evening at most
    # brute force: no Sunday-Thursday 20:00 ET + delay slot lies strictly between after and result
    local_day = after.astimezone(EASTERN).date() - timedelta(days=1)
    while True:
        slot = (datetime.combine(local_day, datetime.min.time(), tzinfo=EASTERN).replace(hour=20)
                + timedelta(minutes=delay)).astimezone(UTC)
        if slot > after and local_day.weekday() in (6, 0, 1, 2, 3):
            assert slot == result
            break
        local_day += timedelta(days=1)
    start = result.astimezone(EASTERN) - timedelta(minutes=delay)
    assert (start.hour, start.minute) == (20, 0) and start.weekday() not in (4, 5)


@pytest.mark.parametrize("bad", [datetime(2025, 9, 23, 12, 0)])
def test_next_run_rejects_naive_datetime(bad):
    with pytest.raises(ValueError, match="aware"):
        next_run(bad)


def test_next_run_rejects_absurd_delay():
    with pytest.raises(ValueError, match="delay_minutes"):
        next_run(et(2025, 9, 23, 12, 0), delay_minutes=2000)


def test_announcement_trigger_agrees_with_next_run():
    trigger = AnnouncementTrigger(45)
    now = et(2025, 10, 30, 21, 0)
    first = trigger.get_next_fire_time(None, now)
    assert first == next_run(now, delay_minutes=45)
    assert trigger.get_next_fire_time(first, first) == next_run(first, delay_minutes=45)


def test_background_schedule_registers_jobs_and_shuts_down(store, config):
    calls: list[str] = []
    schedule = BackgroundSchedule(config, store, cycle=lambda: calls.append("cycle"),
                                  library_sync=lambda: calls.append("sync"))
    schedule.start()
    try:
        assert schedule.scheduler.running
        jobs = {job.id: job for job in schedule.scheduler.get_jobs()}
        assert set(jobs) == {"daily_cycle", "library_sync"}
        expected = next_run(datetime.now(UTC), delay_minutes=30)
        assert abs((schedule.next_cycle_time() - expected).total_seconds()) < 5
        assert jobs["library_sync"].trigger.interval == timedelta(minutes=180)
    finally:
        schedule.shutdown()
    assert not schedule.scheduler.running


def test_background_schedule_disabled_starts_nothing(store, config):
    schedule = BackgroundSchedule(config.with_values(schedule__enabled=False), store)
    schedule.start()
    assert not schedule.scheduler.running and schedule.next_cycle_time() is None


def test_background_schedule_bad_delay_is_config_error(store, config):
    with pytest.raises(ConfigError, match="delay_minutes"):
        BackgroundSchedule(config.with_values(schedule__delay_minutes=-5), store).start()


@pytest.mark.parametrize("error, level", [
    (BusyError("another daily cycle is running"), logging.INFO),
    (PaperfeedError("arXiv said no"), logging.ERROR),
    (RuntimeError("bug"), logging.ERROR),
])
def test_background_schedule_job_failure_is_logged_not_raised(store, config, caplog, error, level):
    def boom():
        raise error

    schedule = BackgroundSchedule(config, store, cycle=boom)
    schedule.start()
    try:
        job = schedule.scheduler.get_job("daily_cycle")
        with caplog.at_level(logging.INFO, logger="sync.schedule"):
            job.func()  # what the scheduler's worker thread calls
        assert any(r.levelno == level and "daily cycle" in r.getMessage() for r in caplog.records)
    finally:
        schedule.shutdown()


def test_background_schedule_library_sync_skipped_without_zotero(store, config):
    assert BackgroundSchedule(config, store)._pull_library() == "skipped (Zotero is not configured)"


def test_start_scheduler_starts_and_shuts_down(store, config):
    from sync.schedule import start_scheduler

    schedule = start_scheduler(config, store)
    try:
        assert schedule.scheduler.running and schedule.next_cycle_time() is not None
    finally:
        schedule.shutdown()
