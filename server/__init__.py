"""paperfeed's JSON API (Flask). Imports ``sync``; ``sync`` never imports this package.

The app is built in :mod:`server.app`. Its public names are loaded from there on first use, so the
``paperfeed`` commands that never serve (``rank``, ``sync``, ``daily``, ...) start without importing
Flask.
"""

from __future__ import annotations

_FROM_APP = ("create_app", "extension_origins", "origin_patterns", "CHROME_EXTENSION_ID", "PUBLIC_ENDPOINTS")
__all__ = list(_FROM_APP)


def __getattr__(name: str):
    if name in _FROM_APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
