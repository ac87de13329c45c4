"""``GET /api/health``: is the server up, is the store readable, when did each stage last run."""

from __future__ import annotations

import logging

from flask import Blueprint

from sync import __version__

from .. import engine
from .. import schemas as S
from ..apidoc import Response, operation
from ..context import services

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/api/health")
@operation("Server status, store status and the last fetch/rank/sync outcomes (no token needed)",
           auth=False, tags=("health",), responses={200: Response("status", S.HealthSchema)})
def health():
    svc = services()
    body = {"status": "ok", "version": __version__, "store": "ok",
            "configured": {"zotero": svc.config.zotero_configured},
            "last_fetch": None, "last_rank": None, "last_sync": None}
    if not svc.store.check():
        body["store"] = "error"
        return S.HealthSchema().dump(body)
    try:
        body["last_fetch"] = engine.run_info(svc.store.last_fetch_run())
        body["last_rank"] = engine.run_info(engine.last_rank_run(svc.store))
        body["last_sync"] = engine.run_info(engine.last_library_sync(svc.store))
    except Exception:  # noqa: BLE001 - health must answer even when a part's table is broken
        log.exception("health: reading run records failed")
        body["store"] = "error"
    return S.HealthSchema().dump(body)
