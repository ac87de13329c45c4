"""The daily cycle of a lab server: one fetch for everybody, then each user's own cycle.

1. One fetch (arXiv is read once) for the union of all users' categories and keyword watches;
   papers, announcements and keyword hits are shared.
2. Per user, with at most ``lab.concurrency`` users at a time: Zotero library pull, rank (only the
   papers in the user's categories or found by their keyword watches; see ``rank_stage``), report
   and delivery, outbox push, each with the user's own settings and credentials. This is the
   single-user cycle (:func:`sync.cycle.run_user_stages`) with the fetch already done.
3. A user's failure (Zotero down or refusing their key, a bad setting, even a bug) is caught and
   recorded as that user's problem (``paperfeed users list``, ``/api/health`` for the admin); it
   never stops or delays anybody else's feed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from .cycle import CycleResult, Stages, StepResult, run_user_stages
from .cycle_lock import cycle_lock
from .errors import PaperfeedError
from .lab import user_config
from .models import FetchOutcome
from .settings import Config

log = logging.getLogger(__name__)


@dataclass
class LabCycleResult:
    fetch: StepResult
    users: dict[str, CycleResult] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # user name -> what failed ('' absent)
    seconds: dict[str, float] = field(default_factory=dict)  # user name -> wall time of their cycle

    @property
    def ok(self) -> bool:
        return self.fetch.status != "failed" and not self.problems

    def lines(self) -> list[str]:
        lines = [f"fetch (all users): {self.fetch.status}" + (f" ({self.fetch.message})" if self.fetch.message else "")]
        for name, result in sorted(self.users.items()):
            state = f"problem: {self.problems[name]}" if name in self.problems else "ok"
            lines.append(f"{name}: {state}")
            lines += [f"  {line}" for line in result.lines()[1:]]
        return lines


def lab_mode(store) -> bool:
    """True on a lab server with users: the daily cycle is :func:`run_lab_cycle`."""
    return bool(getattr(store, "is_postgres", False)) and bool(store.users())


def union_config(config: Config, users_configs: list[Config]) -> Config:
    """``config`` fetching every user's categories and keyword watches (in a stable order)."""
    categories = list(dict.fromkeys(c for cfg in users_configs for c in cfg["arxiv.categories"]))
    keywords = list(dict.fromkeys(k for cfg in users_configs for k in cfg["arxiv.keywords"]))
    return config.with_values(arxiv__categories=categories or list(config["arxiv.categories"]),
                              arxiv__keywords=keywords,
                              arxiv__include_cross_lists=any(cfg["arxiv.include_cross_lists"] for cfg in users_configs))


def run_lab_cycle(config: Config, store, *, now: datetime | None = None, day: date | None = None,
                  stages: Stages | None = None, concurrency: int | None = None) -> LabCycleResult:
    """Run the lab's daily cycle under the cycle lock (``store`` is the server's, not a user's)."""
    stages = stages or Stages()
    now = now or datetime.now(timezone.utc)
    with cycle_lock(store, now=now):
        run_id = store.start_cycle_run(day=None, sample=False)
        try:
            result = _run(config, store, now=now, day=day, stages=stages,
                          concurrency=concurrency or config["lab.concurrency"])
        except BaseException as exc:
            store.finish_cycle_run(run_id, status="failed", day=None, steps=[], message=repr(exc))
            raise
        steps = [result.fetch.as_dict()] + [{"name": f"user {name}", "status": "failed" if name in result.problems
                                             else "ok", "message": result.problems.get(name, "")}
                                            for name in sorted(result.users)]
        store.finish_cycle_run(run_id, status="ok" if result.ok else "failed", day=day, steps=steps,
                               message="; ".join(f"{n}: {p}" for n, p in sorted(result.problems.items())))
        return result


def _run(config: Config, store, *, now: datetime, day: date | None, stages: Stages,
         concurrency: int) -> LabCycleResult:
    users = store.users()
    configs: dict[int, Config] = {}
    setup_problems: dict[str, str] = {}
    for user in users:
        try:
            configs[user.id] = user_config(config, user, user.zotero_sealed)
        except PaperfeedError as exc:
            setup_problems[user.name] = exc.message
    summary: Any = None
    try:
        if day is None:
            summary = stages.fetch(store, union_config(config, list(configs.values())), sample=False, progress=None)
        else:
            summary = stages.fetch(store, union_config(config, list(configs.values())), sample=False, progress=None,
                                   day=day)
        failed = summary.outcome in (FetchOutcome.UNREACHABLE, FetchOutcome.ERROR)
        fetch = StepResult("fetch", "failed" if failed else "ok", summary.line())
    except PaperfeedError as exc:
        fetch = StepResult("fetch", "failed", exc.message)
    result = LabCycleResult(fetch=fetch)

    def one(user) -> tuple[str, CycleResult | None, str, float]:
        started = datetime.now(timezone.utc)
        if user.name in setup_problems:
            return user.name, None, setup_problems[user.name], 0.0
        user_store = None
        try:
            user_store = store.user_store(user.id)
            res = run_user_stages(configs[user.id], user_store, summary=summary, fetch_step=fetch, now=now,
                                  stages=stages)
            problem = "; ".join(f"{s.name}: {s.message}" for s in res.failed if s.name != "fetch")
        except Exception as exc:  # noqa: BLE001 - a bug in one user's cycle must not stop the others
            log.exception("lab cycle: user %s failed", user.name)
            res, problem = None, f"internal error: {exc!r}"
        finally:
            if user_store is not None:
                user_store.close()
        return user.name, res, problem, (datetime.now(timezone.utc) - started).total_seconds()

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="lab-user") as pool:
        for name, res, problem, seconds in pool.map(one, users):
            if res is not None:
                result.users[name] = res
            else:
                result.users[name] = CycleResult(steps=[StepResult("setup", "failed", problem)])
            if problem:
                result.problems[name] = problem
            result.seconds[name] = seconds
    for user in users:
        store.note_user_cycle(user.id, result.problems.get(user.name, ""))
    return result
