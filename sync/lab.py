"""A lab server's users, outside SQL: tokens, encrypted Zotero credentials, each user's config.

- API tokens are 32 random bytes (URL-safe text), shown once; the store keeps their SHA-256.
- A user's Zotero library id, type and API key are one Fernet token (``cryptography``) made with
  a key derived from the server secret (setting ``lab.secret``); no route ever returns them.
- :func:`user_config` is the server's config with the user's own settings and credentials laid
  over it: the engine (fetch excepted) runs per user with it, unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path
from typing import Any

from .errors import ConfigError, InvalidInputError
from .settings import SETTINGS_BY_NAME, Config, _coerce

#: Settings each user of a lab server sets for themselves (the rest are the server's).
PER_USER_SETTINGS: tuple[str, ...] = (
    "arxiv.categories", "arxiv.keywords", "arxiv.include_cross_lists",
    "ranking.backend", "ranking.threshold", "ranking.max_results", "ranking.include_keywords",
    "ranking.exclude_keywords", "ranking.favourite_authors",
    "zotero.marker_tag", "zotero.default_collection", "zotero.pdf",
    "reports.max_papers", "email.recipients",
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_FEED_TOKEN = re.compile(r"u(\d{1,18})\.([0-9a-f]{40})")


def user_feed_token(config: Config, user_id: int, token_hash: str) -> str:
    """A lab user's read-only feed token: ``u<id>.<HMAC of the id and their API token's hash>``.

    It reads the user's Atom feed and nothing else; it is never the API token (URLs end up in
    logs), and rotating the user's API token (``paperfeed users token NAME --rotate``) revokes it.
    """
    secret = config["lab.secret"]
    if not secret:
        raise ConfigError("lab users' feed URLs need the server secret: set lab.secret")
    mac = hmac.new(secret.encode("utf-8"), f"feed:{user_id}:{token_hash}".encode("utf-8"), hashlib.sha256)
    return f"u{user_id}.{mac.hexdigest()[:40]}"


def feed_token_user_id(presented: str) -> int | None:
    """The user id a lab feed token names (not yet checked), or None when it is not one."""
    match = _FEED_TOKEN.fullmatch(presented)
    return int(match.group(1)) if match else None


def _fernet(config: Config):
    from cryptography.fernet import Fernet

    secret = config["lab.secret"]
    if not secret:
        raise ConfigError("a lab server needs a server secret to encrypt Zotero keys: set lab.secret"
                          " (e.g. PAPERFEED_LAB_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))'))")
    key = base64.urlsafe_b64encode(hashlib.sha256(("paperfeed-lab:" + secret).encode("utf-8")).digest())
    return Fernet(key)


def encrypt_zotero(config: Config, *, library_id: str, api_key: str, library_type: str = "user") -> str:
    if library_type not in ("user", "group"):
        raise InvalidInputError("library type must be user or group")
    payload = json.dumps({"library_id": str(library_id), "library_type": library_type, "api_key": api_key})
    return _fernet(config).encrypt(payload.encode("utf-8")).decode("ascii")


def decrypt_zotero(config: Config, ciphertext: str) -> dict[str, str]:
    """{library_id, library_type, api_key}, or {} when none is stored."""
    if not ciphertext:
        return {}
    from cryptography.fernet import InvalidToken

    try:
        return json.loads(_fernet(config).decrypt(ciphertext.encode("ascii")))
    except InvalidToken as exc:
        raise ConfigError("cannot decrypt a user's Zotero credentials: lab.secret changed?") from exc


def check_user_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Validated per-user settings (the same checks as the config file)."""
    checked = {}
    for name, value in values.items():
        if name not in PER_USER_SETTINGS:
            raise InvalidInputError(f"{name} is not a per-user setting (per user: {', '.join(PER_USER_SETTINGS)})",
                                    details={"setting": name})
        checked[name] = _coerce(SETTINGS_BY_NAME[name], value, origin="user settings")
    return checked


def user_config(config: Config, user, zotero_ciphertext: str = "") -> Config:
    """``config`` with ``user``'s settings and Zotero credentials (the server's own are not inherited)."""
    changes = {name.replace(".", "__"): value for name, value in user.settings.items() if name in PER_USER_SETTINGS}
    zotero = decrypt_zotero(config, zotero_ciphertext) if zotero_ciphertext else {}
    changes.update(zotero__library_id=zotero.get("library_id", ""), zotero__api_key=zotero.get("api_key", ""),
                   zotero__library_type=zotero.get("library_type", "user"))
    if user.email and not user.settings.get("email.recipients"):
        changes["email__recipients"] = [user.email]
    # each user's report files in a folder of their own
    changes["reports__dir"] = str(Path(config["reports.dir"] or config.data_dir / "reports") / "users" / user.name)
    return config.with_values(**changes)
