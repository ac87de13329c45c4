"""Per-app services (config, store, background sync job) and request helpers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import current_app, g, request
from marshmallow import Schema

from sync.cycle import run_cycle
from sync.lab import user_config
from sync.saving.pusher import OutboxPusher
from sync.settings import Config
from sync.store import Store

from .errors import ApiError
from .response_cache import ResponseCache
from .sync_jobs import CycleRunner, SyncJob


# A request waits on arXiv/Zotero while the user watches the popup (which gives up after 15 s,
# 60 s for a save): the engine's batch policy (4 retries, 30 s timeouts: a minute or more when
# arXiv is down) is too patient there. A save that runs out of patience is queued, and the
# outbox retries it with the full policy.
INTERACTIVE_LIMITS = {"arxiv.max_retries": 1, "arxiv.timeout_seconds": 10.0,
                      "zotero.max_retries": 2, "zotero.timeout_seconds": 15.0}


def interactive_config(config: Config) -> Config:
    """``config`` with retries and timeouts of outside services capped for a request handler."""
    return config.with_values(**{name.replace(".", "__"): min(config[name], cap)
                                 for name, cap in INTERACTIVE_LIMITS.items()})


def default_cycle(config: Config, store, *, sample: bool = False, progress=None, **kwargs):
    """``POST /api/sync``: the admin on a lab server runs the lab's cycle (all users); everyone else
    their own cycle (a lab user's: fetch of their categories, their pull, rank, report, push)."""
    from sync.lab_cycle import lab_mode, run_lab_cycle

    if not sample and getattr(store, "user_id", None) is None and lab_mode(store):
        return run_lab_cycle(config, store)
    return run_cycle(config, store, sample=sample, progress=progress, **kwargs)


@dataclass
class Services:
    config: Config
    store: Store
    interactive: Config = None  # type: ignore[assignment]  # set in __post_init__
    sync_job: SyncJob = field(default_factory=SyncJob)
    openapi: dict | None = None
    responses: ResponseCache = field(default_factory=ResponseCache)
    cycle_runner: CycleRunner = default_cycle  # tests put a controllable cycle here
    # The one background pusher of this app: `paperfeed serve` starts it; otherwise the first save does.
    pusher: OutboxPusher = None  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.interactive is None:
            self.interactive = interactive_config(self.config)
        if self.pusher is None:
            # a third of the server's threads may wait on a push; the rest stay free for other routes
            self.pusher = OutboxPusher(self.store, self.config, max_waiters=self.config["server.threads"] // 3)


def services() -> Services:
    """This request's services: the authenticated lab user's, else the server's (single user, admin)."""
    return g.get("paperfeed_services") or current_app.extensions["paperfeed"]


def change_marker(svc: Services) -> tuple:
    """The change marker of ``svc``'s store, for keys of the page cache. A lab user's came with
    their token (no second look-up); anyone else's is asked for (on a listening lab server,
    without a query: :mod:`sync.store.notifications`)."""
    marker = g.get("paperfeed_change_marker")
    if marker is not None and svc is g.get("paperfeed_services"):
        return marker
    return svc.store.change_marker()


def user_services(user) -> Services:
    """A lab user's services: their store schema, their config, their own page cache and sync job.

    Built once per user and process, rebuilt when the user's settings or credentials change.
    """
    app_services: Services = current_app.extensions["paperfeed"]
    cache = current_app.extensions.setdefault("paperfeed_users", {})
    key = (user.id, repr(sorted(user.settings.items())), user.email, user.zotero_sealed)
    with _users_lock:
        found = cache.get(user.id)
        if found is not None and found[0] == key:
            return found[1]
    config = user_config(app_services.config, user, user.zotero_sealed)
    built = Services(config=config, store=app_services.store.for_user(user.id),
                     cycle_runner=app_services.cycle_runner)
    with _users_lock:
        cache[user.id] = (key, built)
    return built


_users_lock = threading.Lock()


@cache
def _schema(schema: type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies its fields (~0.1 ms a request);
    ``load`` keeps no state on the instance, so the threads share it."""
    return schema()


def load_query(schema: type[Schema]) -> dict[str, Any]:
    """Validated query parameters (a repeated parameter is an error, not silently the first)."""
    args = request.args
    repeated = sorted({key for key in args if len(args.getlist(key)) > 1})
    if repeated:
        raise ApiError(400, "invalid_input", f"query parameter given more than once: {', '.join(repeated)}",
                       details={"fields": {key: ["given more than once"] for key in repeated}})
    return _schema(schema).load(args.to_dict())


def load_body(schema: type[Schema]) -> dict[str, Any]:
    """Validated JSON body; an empty body means ``{}`` (every field of our bodies is optional).
    A body of only blanks is not JSON (400), as the OpenAPI document says."""
    raw = request.get_data(cache=True)
    if not raw:
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except RecursionError:
            raise ApiError(400, "invalid_json", "request body is nested too deeply") from None
        except ValueError:  # also UnicodeDecodeError: not UTF-8
            raise ApiError(400, "invalid_json", "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_input", "request body must be a JSON object")
    reject_lone_surrogates(data)
    return _schema(schema).load(data)


def reject_lone_surrogates(data: Any) -> None:
    """400 when any string (key or value) holds a lone UTF-16 surrogate (``"\\ud800"`` in JSON):
    such text cannot be stored, sent to Zotero or written as UTF-8."""
    pending, path = [(data, "")], ""
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            texts = [value]
        elif isinstance(value, dict):
            texts = list(value)
            pending.extend((item, f"{path}.{key}" if path else str(key)) for key, item in value.items())
        elif isinstance(value, list):
            texts = []
            pending.extend((item, f"{path}[{i}]") for i, item in enumerate(value))
        else:
            continue
        if any(_has_surrogate(text) for text in texts):
            field_name = path or "body"
            raise ApiError(400, "invalid_text", f"{field_name}: text holds a lone surrogate (not valid Unicode)",
                           details={"fields": {field_name: ["lone surrogate in text"]}})


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
