"""WSGI entry point for several worker processes, e.g. a lab server on PostgreSQL:

    gunicorn --workers 4 --bind 127.0.0.1:8765 'server.wsgi:app'

The config is read as everywhere else (``$PAPERFEED_CONFIG``, ``PAPERFEED_*`` variables). Each
worker opens its own store connections; nothing is shared between workers but the database, so the
page cache (per worker, per user) is keyed by the store's change marker, which moves with commits
from any process (each worker learns of them from PostgreSQL's notifications on a listening
connection of its own, opened at its first request: sync/store/notifications.py). The daily cycle
does not run in workers: run ``paperfeed daily`` from a timer (docs/lab.md).
"""

from __future__ import annotations

from sync.settings import load_config

from . import create_app

app = create_app(load_config())
