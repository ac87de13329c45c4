"""Every setting, declared once: name, type, default, help.

Settings live in a TOML file (``paperfeed init`` writes a commented one) in the
user's config dir, or at ``$PAPERFEED_CONFIG``. Each setting can be overridden by
an environment variable ``PAPERFEED_<SECTION>_<KEY>``; secrets (``secret=True``)
are best kept there (e.g. ``PAPERFEED_ZOTERO_API_KEY``) and are masked whenever
the config is shown.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import platformdirs

from .errors import ConfigError

APP_NAME = "paperfeed"


@dataclass(frozen=True)
class Setting:
    name: str  # "section.key"
    type: type
    default: Any
    help: str
    secret: bool = False
    choices: tuple[str, ...] | None = None
    minimum: float | None = None  # numbers: the allowed range
    maximum: float | None = None
    check: Callable[[Any], str | None] | None = None  # returns what is wrong, or None

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def env_var(self) -> str:
        return "PAPERFEED_" + self.name.replace(".", "_").replace("-", "_").upper()


def _unknown_categories(categories: list[str]) -> str | None:
    from .arxiv.taxonomy import ARCHIVES, CATEGORIES

    unknown = [c for c in categories if c not in CATEGORIES and c not in ARCHIVES]
    if unknown:
        return (f"unknown arXiv categor{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}"
                " (e.g. cs.DC, math.CO, hep-th; see https://arxiv.org/category_taxonomy)")
    return None


def _http_url(value: str) -> str | None:
    from urllib.parse import urlsplit

    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an http:// or https:// URL with a host name (e.g. https://papers.example.org)"
    return None


def _extension_ids(ids: list[str]) -> str | None:
    import re

    bad = [i for i in ids if not re.fullmatch(r"[a-p]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", i)]
    if bad:
        return (f"not an extension id: {', '.join(bad)} (a Chrome id is 32 letters a-p; a Firefox internal"
                " UUID is shown in about:debugging)")
    return None


def _default_data_dir() -> str:
    return platformdirs.user_data_dir(APP_NAME)


SETTINGS: tuple[Setting, ...] = (
    # arXiv
    Setting("arxiv.categories", list, ["cs.DC", "cs.PL", "cs.PF", "cs.NI"],
            "arXiv categories whose daily announcement is fetched (e.g. cs.DC, cs.PL).",
            check=_unknown_categories),
    Setting("arxiv.keywords", list, ["reinforcement learning", "compiler", "performance"],
            "Keyword watches: phrases searched in titles and abstracts through the arXiv API."),
    Setting("arxiv.include_cross_lists", bool, True,
            "Include papers cross-listed into your categories from other categories."),
    Setting("arxiv.keyword_max_results", int, 100, "Newest papers fetched per keyword watch.",
            minimum=1, maximum=2000),
    Setting("arxiv.feed_url", str, "https://rss.arxiv.org/atom",
            "Base URL of arXiv's announcement feed (RSS/Atom)."),
    Setting("arxiv.api_url", str, "https://export.arxiv.org/api/query", "arXiv API query URL."),
    Setting("arxiv.pdf_url", str, "https://arxiv.org/pdf",
            "Base URL of arXiv PDFs (a paper's file is <pdf_url>/<id>v<version>; used by zotero.pdf = file)."),
    Setting("arxiv.oai_url", str, "https://oaipmh.arxiv.org/oai", "arXiv OAI-PMH URL, used by --backfill."),
    Setting("arxiv.delay_seconds", float, 3.0,
            "Minimum seconds between two requests to arXiv (arXiv's terms ask for 3).", minimum=0),
    Setting("arxiv.timeout_seconds", float, 30.0, "Timeout of one request to arXiv.", minimum=0.1),
    Setting("arxiv.max_retries", int, 4, "Retries of a request that got 429/5xx or timed out.",
            minimum=0, maximum=10),
    # Zotero
    Setting("zotero.library_id", str, "", "Your Zotero user id (zotero.org/settings/keys) or group id."),
    Setting("zotero.library_type", str, "user", "Library type.", choices=("user", "group")),
    Setting("zotero.api_key", str, "", "Zotero API key with library read/write access.", secret=True),
    Setting("zotero.api_url", str, "https://api.zotero.org", "Zotero Web API base URL."),
    Setting("zotero.marker_tag", str, "paperfeed",
            "Tag put on every item paperfeed saves (empty: none), so you can find them in Zotero."),
    Setting("zotero.default_collection", str, "",
            "Collection (name or key) for saved papers when none is chosen or suggested (empty: none)."),
    Setting("zotero.pdf", str, "link",
            "The arXiv PDF of a saved paper: link (a linked-URL attachment), file (downloaded from arXiv and"
            " stored in Zotero, as the Zotero Connector does; uses your Zotero storage) or none.",
            choices=("file", "link", "none")),
    Setting("zotero.timeout_seconds", float, 30.0, "Timeout of one request to the Zotero API."),
    Setting("zotero.max_retries", int, 4, "Retries of a Zotero request that got 429/5xx or could not connect."),
    Setting("zotero.retry_base_seconds", float, 1.0,
            "First wait before retrying a failed Zotero request (doubles, jittered) when the server gives none."),
    Setting("zotero.max_wait_seconds", float, 120.0,
            "Longest wait paperfeed sits out for Retry-After/Backoff; a longer one defers the work to the next push."),
    Setting("zotero.outbox_retry_seconds", float, 300.0,
            "Delay before an outbox entry that failed is pushed again (doubles per failure, at most 6 hours)."),
    Setting("zotero.save_wait_seconds", float, 1.0,
            "How long a save from the API waits for the background push before answering \"queued\".",
            minimum=0, maximum=10),
    # server
    Setting("server.host", str, "127.0.0.1", "Address `paperfeed serve` binds to (keep it on loopback)."),
    Setting("server.port", int, 8765, "Port `paperfeed serve` listens on.", minimum=1, maximum=65535),
    Setting("server.token", str, "", "Bearer token the extension sends (generated by `paperfeed init`).",
            secret=True),
    Setting("server.feed_token", str, "",
            "Read-only token for the Atom feed URL (/feed.atom?token=...), for feed readers; created by"
            " `paperfeed init`, rotated by `paperfeed feed-token --rotate`.", secret=True),
    Setting("server.allowed_hosts", list, [],
            "Host names the API answers to besides localhost, 127.0.0.1, [::1] and server.host (e.g. the name"
            " of a reverse proxy); requests for any other Host get 421 (DNS rebinding)."),
    Setting("server.public_url", str, "",
            "Base URL clients reach the server at (e.g. https://papers.example.org behind a proxy); absolute"
            " URLs such as the feed's id are built from it (empty: http://<server.host>:<server.port>).",
            check=_http_url),
    Setting("server.cors_origins", list, [],
            "Extra origins allowed to call the API from a browser (glob patterns), besides the paperfeed"
            " extension's own; keep to extension origins you trust."),
    Setting("server.extension_ids", list, [],
            "Ids of other copies of the paperfeed extension allowed to call the API: a self-built Chrome"
            " copy's 32-letter id, or a Firefox copy's internal UUID (about:debugging).", check=_extension_ids),
    Setting("server.max_body_bytes", int, 524288,
            "Largest request body the API accepts (bytes); the default fits the largest valid save"
            " (a 20,000-character note and 50 tags, every character JSON-escaped).", minimum=1024),
    Setting("server.threads", int, 6, "Worker threads of `paperfeed serve` (waitress).", minimum=1, maximum=64),
    # ranking (issue 3; see docs/ranking.md)
    Setting("ranking.backend", str, "hybrid",
            "How papers are compared with your library: hybrid (sentence embeddings + TF-IDF, best measured"
            " quality), embeddings, or tfidf (no model, fastest). Without the embeddings extra installed,"
            " hybrid and embeddings fall back to tfidf.", choices=("hybrid", "embeddings", "tfidf")),
    Setting("ranking.model", str, "all-MiniLM-L6-v2",
            "Sentence-embedding model of the hybrid and embeddings backends: all-MiniLM-L6-v2 (bundled, offline),"
            " a sentence-transformers model name (must be in the local cache offline) or a model directory."),
    Setting("ranking.threshold", float, 0.3, "Papers scoring below this (0..1) are not shown.",
            minimum=0, maximum=1),
    Setting("ranking.max_results", int, 50, "At most this many papers are shown per day.", minimum=1),
    Setting("ranking.include_keywords", list, [],
            "If set, only papers whose title or abstract contains one of these phrases are shown."),
    Setting("ranking.exclude_keywords", list, [],
            "Papers whose title or abstract contains one of these phrases are never shown."),
    Setting("ranking.favourite_authors", list, [], "Papers by these authors score high (\"Jane Doe\")."),
    Setting("ranking.background_size", int, 10000,
            "Recently announced papers the ranker contrasts your library with (0 turns contrast off); fewer"
            " than 1,000 stored are completed with the day's papers and 882 bundled arXiv papers."),
    # storage
    Setting("storage.data_dir", str, "", "Directory of the SQLite store and reports (empty: the user data dir)."),
    Setting("store.url", str, "",
            "Database of the store: empty for the SQLite file in the data dir (one user), or a PostgreSQL URL"
            " such as postgresql://paperfeed@/paperfeed?host=/run/postgresql (a lab server; needs the"
            " postgres extra).", secret=True, check=lambda url: None if not url or url.startswith(
                ("postgresql://", "postgres://")) else "must be empty or a postgresql:// URL"),
    # a lab server (store.url is PostgreSQL; docs/lab.md)
    Setting("lab.secret", str, "",
            "Server secret that encrypts users' Zotero credentials at rest (any long random string; keep it"
            " out of the database and its backups).", secret=True),
    Setting("lab.concurrency", int, 4, "Users processed at once by the lab's daily cycle.", minimum=1, maximum=64),
    # reports, delivery and the daily schedule (issue 7)
    Setting("reports.dir", str, "", "Directory the daily reports are written to (empty: <data_dir>/reports)."),
    Setting("reports.formats", list, ["md", "html"], "Report files written by `paperfeed daily` (md, html)."),
    Setting("reports.max_papers", int, 100, "Most papers listed in one daily report."),
    Setting("reports.summary_url", str, "",
            "OpenAI-compatible API base URL for weekly-digest summaries (empty: extractive, no network)."),
    Setting("reports.summary_model", str, "", "Model name sent to the summary endpoint."),
    Setting("reports.summary_api_key", str, "", "API key of the summary endpoint.", secret=True),
    Setting("reports.summary_timeout_seconds", float, 20.0, "Timeout of one summary request."),
    Setting("email.enabled", bool, False, "Email the daily report after each cycle."),
    Setting("email.host", str, "", "SMTP server host."),
    Setting("email.port", int, 587, "SMTP server port (587 STARTTLS, 465 TLS, 25 none).", minimum=1,
            maximum=65535),
    Setting("email.security", str, "starttls", "How the SMTP connection is secured.",
            choices=("starttls", "tls", "none")),
    Setting("email.username", str, "", "SMTP login (empty: no login)."),
    Setting("email.password", str, "", "SMTP password.", secret=True),
    Setting("email.sender", str, "", "From address of the report email."),
    Setting("email.recipients", list, [], "Addresses the report is sent to."),
    Setting("email.timeout_seconds", float, 30.0, "Timeout of the SMTP connection."),
    Setting("schedule.enabled", bool, True, "`paperfeed serve` runs the daily cycle on schedule."),
    Setting("schedule.delay_minutes", int, 30,
            "Minutes after arXiv's 20:00 US Eastern announcement to start the daily cycle."),
    Setting("schedule.library_sync_minutes", int, 180, "Minutes between Zotero library syncs in `paperfeed serve`."),
)

# Settings that no longer exist, with what to write instead (a clear error, not "unknown setting").
REPLACED = {"zotero.pdf_attachment": 'use zotero.pdf = "link" (was true), "none" (was false) or "file"'}
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def default_config_path() -> Path:
    override = os.environ.get("PAPERFEED_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Config:
    """The effective settings: defaults, then the TOML file, then environment variables."""

    def __init__(self, values: dict[str, Any] | None = None, *, path: Path | None = None,
                 file_found: bool = False, file_secrets: tuple[str, ...] = ()):
        self._values = {s.name: s.default for s in SETTINGS}
        for name, value in (values or {}).items():
            self._values[name] = _coerce(SETTINGS_BY_NAME[name], value) if name in SETTINGS_BY_NAME else value
        self.path = path
        self.file_found = file_found
        self.file_secrets = file_secrets  # secret settings given a value in the file itself

    def __getitem__(self, name: str) -> Any:
        if name not in self._values:
            raise KeyError(f"unknown setting {name!r}")
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def with_values(self, **changes: Any) -> "Config":
        """A copy with some settings changed; keys use ``__`` for the dot: ``arxiv__categories``."""
        values = dict(self._values)
        values.update({key.replace("__", "."): value for key, value in changes.items()})
        return Config(values, path=self.path, file_found=self.file_found, file_secrets=self.file_secrets)

    @property
    def data_dir(self) -> Path:
        return Path(self["storage.data_dir"] or _default_data_dir()).expanduser()

    @property
    def store_path(self) -> Path:
        return self.data_dir / "paperfeed.sqlite3"

    @property
    def store_target(self) -> Path | str:
        """What :class:`~sync.store.Store` opens: the PostgreSQL URL if set, else the SQLite file."""
        return self["store.url"] or self.store_path

    @property
    def zotero_configured(self) -> bool:
        return bool(self["zotero.library_id"] and self["zotero.api_key"])

    def masked(self) -> dict[str, Any]:
        """All settings, secrets masked: safe to print or return."""
        return {s.name: (_mask(self._values[s.name]) if s.secret else self._values[s.name]) for s in SETTINGS}


def load_config(path: Path | None = None, *, environ: dict[str, str] | None = None) -> Config:
    """Read the TOML file (if present) and the environment; raise :class:`ConfigError` on bad values."""
    environ = os.environ if environ is None else environ
    path = path or default_config_path()
    values: dict[str, Any] = {}
    found = path.is_file()
    if found:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        for section, table in data.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: top-level key {section!r} must be a [section]")
            for key, value in table.items():
                name = f"{section}.{key}"
                if name in REPLACED:
                    raise ConfigError(f"{path}: setting {name!r} was replaced: {REPLACED[name]}",
                                      details={"setting": name})
                if name not in SETTINGS_BY_NAME:
                    raise ConfigError(f"{path}: unknown setting {name!r}", details={"setting": name})
                values[name] = _coerce(SETTINGS_BY_NAME[name], value, origin=str(path))
    file_secrets = tuple(s.name for s in SETTINGS if s.secret and values.get(s.name))
    for setting in SETTINGS:
        raw = environ.get(setting.env_var)
        if raw is not None and raw != "":
            values[setting.name] = _coerce(setting, _parse_env(setting, raw), origin=setting.env_var)
    return Config(values, path=path, file_found=found, file_secrets=file_secrets)


def _parse_env(setting: Setting, raw: str) -> Any:
    if setting.type is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if setting.type is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{setting.env_var}: expected true/false, got {raw!r}")
    return raw


def _coerce(setting: Setting, value: Any, origin: str = "config") -> Any:
    try:
        if setting.type is list:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise TypeError("expected a list of strings")
            result: Any = [v.strip() for v in value if v.strip()]
        elif setting.type is bool:
            if not isinstance(value, bool):
                raise TypeError("expected true or false")
            result = value
        elif setting.type is int:
            if isinstance(value, bool):
                raise TypeError("expected an integer")
            result = int(value)
        elif setting.type is float:
            if isinstance(value, bool):
                raise TypeError("expected a number")
            result = float(value)
        else:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise TypeError("expected a string")
            result = str(value)
    except (TypeError, ValueError) as exc:
        got = f"got a {type(value).__name__}; the value is secret" if setting.secret else f"got {value!r}"
        raise ConfigError(f"{origin}: setting {setting.name}: {exc} ({got})",
                          details={"setting": setting.name}) from exc
    if setting.minimum is not None and result < setting.minimum or \
            setting.maximum is not None and result > setting.maximum:
        bounds = (f"between {setting.minimum:g} and {setting.maximum:g}" if setting.minimum is not None
                  and setting.maximum is not None else f"at least {setting.minimum:g}"
                  if setting.minimum is not None else f"at most {setting.maximum:g}")
        raise ConfigError(f"{origin}: setting {setting.name} must be {bounds} (got {result!r})",
                          details={"setting": setting.name})
    problem = setting.check(result) if setting.check else None
    if problem:
        raise ConfigError(f"{origin}: setting {setting.name}: {problem}", details={"setting": setting.name})
    if setting.choices and result not in setting.choices:
        raise ConfigError(f"{origin}: setting {setting.name} must be one of {', '.join(setting.choices)}"
                          f" (got {result!r})", details={"setting": setting.name})
    return result


def _mask(value: Any) -> str:
    """A secret as shown: whether it is set, nothing of its value."""
    return "set" if value else "not set"


def config_file_problems(config: Config, *, show_path: bool = True) -> list[str]:
    """What is wrong with how the config file is kept: group/others may read the secrets in it.

    ``show_path=False``: the same without the file's path (for /api/health, which needs no token).
    """
    path = config.path
    if not config.file_found or not config.file_secrets or path is None:
        return []
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return []
    if mode & 0o077:
        shown = str(path) if show_path else "(see `paperfeed config show`)"
        return [f"the config file {shown} holds secrets ({', '.join(config.file_secrets)}) and other users"
                f" can read it (mode {mode:o}): run `chmod 600` on it"]
    return []
