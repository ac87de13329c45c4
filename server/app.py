"""The Flask app of paperfeed's JSON API: :func:`create_app` builds it; nothing happens at import time."""

from __future__ import annotations

import fnmatch
import re

from flask import Flask, Response, request
from flask_cors import CORS

from sync.settings import Config
from sync.store import Store

from .auth import bearer_token, config_stamp, refuse_token_in_url, require_token, resolve_token
from .blueprints import register_blueprints
from .context import Services
from .errors import error_response, register_error_handlers
from .hosts import allowed_hosts, is_allowed

# Routes anyone on the machine may call: status, the API description, and the feed (own token check).
PUBLIC_ENDPOINTS = frozenset({"health.health", "openapi.openapi_document", "reports.atom_feed"})


def create_app(config: Config, *, store: Store | None = None) -> Flask:
    """The API over ``store`` (default: the store at ``config.store_path``)."""
    app = Flask(__name__)
    app.config.update(
        PAPERFEED_TOKEN=config["server.token"],
        PAPERFEED_FEED_TOKEN=config["server.feed_token"],
        PAPERFEED_CONFIG_STAMP=config_stamp(config.path) if config.file_found else None,
        MAX_CONTENT_LENGTH=config["server.max_body_bytes"],
        MAX_FORM_MEMORY_SIZE=config["server.max_body_bytes"],
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.merge_slashes = False  # keep "https://arxiv.org/abs/..." ids intact
    app.extensions["paperfeed"] = Services(config=config, store=store or Store(config.store_target))
    # lab server: page cache and tokens follow PostgreSQL's change notifications, no query per request
    app.extensions["paperfeed"].store.listen_for_changes()

    register_error_handlers(app)
    register_blueprints(app)
    _configure_cors(app, extension_origins(config))

    hosts = allowed_hosts(config)

    @app.before_request
    def _check_host() -> Response | None:
        if not is_allowed(request.host, hosts):
            return error_response(421, "host_not_allowed",
                                  "this server does not answer to that host name; add it to the setting "
                                  "server.allowed_hosts (or server.public_url) if it is yours")
        return None

    @app.before_request
    def _authenticate() -> None:
        refuse_token_in_url()
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


# The id Chrome gives the paperfeed extension: pinned by the public key in extension/src/manifest.json
# ("key"), so every copy loaded from this repository or installed from a package has it.
CHROME_EXTENSION_ID = "ijncghfkfgbpkdpbnelhfmfkjdhnmjcn"
_CHROME_ID = re.compile(r"[a-p]{32}")
_FIREFOX_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)


def extension_origins(config: Config) -> list[str | re.Pattern[str]]:
    """Origins a browser may call the API from: this extension (Chrome's pinned id), the copies
    named in ``server.extension_ids``, and the globs of ``server.cors_origins``.

    Firefox gives each install a random ``moz-extension://<uuid>`` origin, so no default can name
    it; Firefox does not apply CORS to an extension page's requests to hosts in its
    ``host_permissions`` (``http://127.0.0.1/*``), so the extension works without one. A Firefox
    copy whose host permission was withdrawn can be allowed by its internal UUID
    (``server.extension_ids``). Never ``moz-extension://*``/``chrome-extension://*``: any other
    installed extension could then read the API's answers.
    """
    origins: list[str | re.Pattern[str]] = [f"chrome-extension://{CHROME_EXTENSION_ID}"]
    for ext_id in config["server.extension_ids"]:
        if _CHROME_ID.fullmatch(ext_id):
            origins.append(f"chrome-extension://{ext_id}")
        elif _FIREFOX_UUID.fullmatch(ext_id):
            origins.append(f"moz-extension://{ext_id.lower()}")
    origins += origin_patterns(config["server.cors_origins"])
    return origins


def origin_patterns(globs: list[str]) -> list[re.Pattern[str]]:
    """Glob patterns of allowed origins (``chrome-extension://<id>``) as anchored regexes."""
    return [re.compile(fnmatch.translate(glob), re.IGNORECASE) for glob in globs]


def _configure_cors(app: Flask, origins: list[str | re.Pattern[str]]) -> None:
    CORS(app, resources={r"/api/*": {}, r"/feed.atom": {}}, origins=origins,
         allow_headers=["Authorization", "Content-Type"], methods=["GET", "POST", "OPTIONS"],
         supports_credentials=False, max_age=600, always_send=False)
