"""``GET /api/health``: is the server up, is the store readable, when did each stage last run."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from sync import __version__
from sync.settings import config_file_problems
from sync.store import FetchRun
from sync.store.library import LibrarySyncState
from sync.store.rankings import RankRun

from .. import schemas as S
from ..apidoc import Response, operation
from ..auth import is_admin
from ..context import services

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

RunInfo = dict[str, Any] | None


def _info(at: str | None, outcome: str, message: str) -> dict[str, Any]:
    return {"at": at, "outcome": outcome, "message": message}


def fetch_info(run: FetchRun | None) -> RunInfo:
    if run is None:
        return None
    return _info(run.finished_at or run.started_at, run.outcome.value, run.message)


def rank_info(run: RankRun | None) -> RunInfo:
    if run is None:
        return None
    return _info(run.finished_at or run.started_at, run.outcome, run.message)


def sync_info(state: LibrarySyncState | None) -> RunInfo:
    """The library pull: ``last_result`` is "ok: ...", "unchanged" or "error: ..." (sync.library_sync)."""
    if state is None or (state.last_synced_at is None and not state.in_progress):
        return None  # index reset, never pulled
    if state.in_progress:
        return _info(state.last_synced_at, "interrupted",
                     f"a pull stopped with {len(state.pending_items)} items to fetch; the next sync resumes it")
    outcome, sep, message = state.last_result.partition(": ")
    if sep and outcome in ("ok", "error"):
        return _info(state.last_synced_at, outcome, message)
    return _info(state.last_synced_at, "ok", state.last_result)


@bp.get("/api/health")
@operation("Server status, store status and the last fetch/rank/sync outcomes (no token needed)",
           auth=False, tags=("health",), responses={200: Response("status", S.HealthSchema)})
def health():
    svc = services()
    store = svc.store
    body = {"status": "ok", "version": __version__, "store": "ok",
            "configured": {"zotero": svc.config.zotero_configured},
            "last_fetch": None, "last_rank": None, "last_sync": None,
            "problems": config_file_problems(svc.config, show_path=False)}
    if not store.check():
        body["store"] = "error"
        return S.HealthSchema().dump(body)
    try:
        body["last_fetch"] = fetch_info(store.last_fetch_run())
        body["last_rank"] = rank_info(store.last_rank_run())
        body["last_sync"] = sync_info(store.last_library_sync())
        if store.is_postgres and is_admin():
            body["users"] = [{"name": u.name, "last_cycle_at": u.last_cycle_at, "problem": u.last_problem}
                             for u in store.users()]
    except Exception:  # noqa: BLE001 - health must answer even when a table is broken
        log.exception("health: reading run records failed")
        body["store"] = "error"
    return S.HealthSchema().dump(body)
