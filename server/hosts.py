"""Which ``Host`` names the API answers to (DNS rebinding), and the server's public base URL.

A page on ``evil.example`` whose name the attacker re-points to 127.0.0.1 is same-origin with
the local server as far as the browser is concerned; the ``Host`` header still says
``evil.example``. So the API answers only to the loopback names, the address it is bound to,
``server.allowed_hosts`` and the host of ``server.public_url``; anything else gets 421.
Absolute URLs (the feed's id and self link) come from ``server.public_url``, never from the
request's ``Host``.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from sync.settings import Config

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_WILDCARDS = ("", "0.0.0.0", "::")


def host_name(host: str) -> str:
    """The name part of a ``Host`` header value: no port, no IPv6 brackets, lower case, no final dot."""
    host = host.strip().lower()
    if host.startswith("["):
        name = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        name = host.partition(":")[0]
    else:
        name = host  # a bare IPv6 address (not valid in Host, but harmless to compare)
    return name.rstrip(".")


def _normalise(name: str) -> str:
    name = host_name(name)
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name


def allowed_hosts(config: Config) -> frozenset[str]:
    names = {*LOOPBACK_NAMES, *config["server.allowed_hosts"]}
    bind = config["server.host"].strip()
    if bind not in _WILDCARDS:
        names.add(bind)
    public = config["server.public_url"]
    if public:
        names.add(urlsplit(public).hostname or "")
    return frozenset(_normalise(name) for name in names if name)


def is_allowed(host_header: str, allowed: frozenset[str]) -> bool:
    return bool(host_header) and _normalise(host_header) in allowed


def public_url(config: Config) -> str:
    """The base URL clients use (no trailing slash): ``server.public_url``, else the bind address."""
    if config["server.public_url"]:
        return config["server.public_url"].rstrip("/")
    host = config["server.host"].strip()
    if host in _WILDCARDS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config['server.port']}"
