"""paperfeed's JSON API (Flask). Imports ``sync``; ``sync`` never imports this package.

:func:`create_app` builds the app; nothing happens at import time.
"""

from __future__ import annotations

import fnmatch
import re

from flask import Flask, Response, request
from flask_cors import CORS

from sync.settings import Config
from sync.store import Store

from .auth import bearer_token, require_token, resolve_token
from .blueprints import register_blueprints
from .context import Services
from .errors import register_error_handlers

# Routes anyone on the machine may call: status, the API description, and the feed (own token check).
PUBLIC_ENDPOINTS = frozenset({"health.health", "openapi.openapi_document", "reports.atom_feed"})


def create_app(config: Config, *, store: Store | None = None) -> Flask:
    """The API over ``store`` (default: the store at ``config.store_path``)."""
    app = Flask(__name__)
    app.config.update(
        PAPERFEED_TOKEN=config["server.token"],
        MAX_CONTENT_LENGTH=config["server.max_body_bytes"],
        MAX_FORM_MEMORY_SIZE=config["server.max_body_bytes"],
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.merge_slashes = False  # keep "https://arxiv.org/abs/..." ids intact
    app.extensions["paperfeed"] = Services(config=config, store=store or Store(config.store_target))

    register_error_handlers(app)
    register_blueprints(app)
    _configure_cors(app, config["server.cors_origins"])

    @app.before_request
    def _authenticate() -> None:
        if request.routing_exception is not None or request.endpoint in PUBLIC_ENDPOINTS:
            if request.endpoint == "health.health":
                resolve_token(bearer_token())  # a token there shows that user's (or, admin, all users') state
            return  # let 404/405 answer as such; public routes need no token
        require_token()

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app


def origin_patterns(globs: list[str]) -> list[re.Pattern[str]]:
    """Glob patterns of allowed origins (``chrome-extension://*``) as anchored regexes."""
    return [re.compile(fnmatch.translate(glob), re.IGNORECASE) for glob in globs]


def _configure_cors(app: Flask, globs: list[str]) -> None:
    CORS(app, resources={r"/api/*": {}, r"/feed.atom": {}}, origins=origin_patterns(globs),
         allow_headers=["Authorization", "Content-Type"], methods=["GET", "POST", "OPTIONS"],
         supports_credentials=False, max_age=600)
