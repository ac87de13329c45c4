"""The waitress server that ``paperfeed serve`` runs, with waitress's own errors in our JSON shape.

waitress answers some requests itself, before the app sees them: a body over
``max_request_body_size`` (413), a malformed request line or header (400), headers
too large (431), an exception escaping the app (500). Its answer is plain text; the
channel here swaps in an error task that writes the one JSON error shape of the API
(``{"error": {"code", "message", "details"}}``), so the extension parses every failure
the same way.
"""

from __future__ import annotations

import json
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

# waitress's error classes by status -> our stable codes (server/errors.py uses the same names)
_CODES = {400: "bad_request", 413: "payload_too_large", 431: "headers_too_large", 500: "internal_error"}


class JsonErrorTask(ErrorTask):
    """waitress's error response, as JSON."""

    def execute(self) -> None:
        error = self.request.error
        status = int(getattr(error, "code", 500))
        details: dict[str, Any] = {}
        if status == 413:
            details["limit"] = self.channel.adj.max_request_body_size
            message = f"request body too large (limit {details['limit']} bytes)"
        elif status == 500:
            message = "internal server error (see the server log)"
        else:  # 400/431: waitress's body says what was wrong with the request (no secrets in it)
            message = f"{error.reason}: {str(error.body)[:200]}"
        body = json.dumps({"error": {"code": _CODES.get(status, f"http_{status}"), "message": message,
                                     "details": details}}).encode("utf-8")
        self.status = f"{status} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                      ("X-Content-Type-Options", "nosniff")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


def make_server(app, **adjustments: Any):
    """A waitress server (not started) whose own error answers are JSON; ``.run()`` serves."""
    sockets: dict = {}
    server = create_server(app, map=sockets, **adjustments)
    for dispatcher in list(sockets.values()):  # one listening server per address
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = JsonErrorChannel
    return server
