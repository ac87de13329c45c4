"""``POST /api/sync`` starts fetch + rank + library sync in the background; ``GET`` shows progress."""

from __future__ import annotations

from flask import Blueprint

from .. import schemas as S
from ..apidoc import Response, operation
from ..context import load_body, services
from ..errors import ApiError

bp = Blueprint("sync_runs", __name__)


@bp.post("/api/sync")
@operation("Start the daily cycle (fetch, rank, library sync, push queued saves) in the background",
           body=S.SyncRequestSchema, tags=("sync",),
           responses={202: Response("started", S.SyncStateSchema),
                      409: Response("a run is already going", S.ErrorSchema)})
def start_sync():
    body = load_body(S.SyncRequestSchema)
    svc = services()
    if not svc.sync_job.start(svc.cycle_runner, svc.config, svc.store, sample=body["sample"]):
        raise ApiError(409, "sync_running", "a sync is already running", details=svc.sync_job.snapshot())
    return S.SyncStateSchema().dump(svc.sync_job.snapshot()), 202


@bp.get("/api/sync")
@operation("State of the current or last background run", tags=("sync",),
           responses={200: Response("state", S.SyncStateSchema)})
def sync_state():
    return S.SyncStateSchema().dump(services().sync_job.snapshot())
