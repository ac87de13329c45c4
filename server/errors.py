"""One JSON error shape for every 4xx/5xx: ``{"error": {"code", "message", "details"}}``.

Every failure path (our :class:`~sync.errors.PaperfeedError` subclasses, marshmallow
validation, werkzeug's 404/405/413, and unexpected exceptions) goes through
:func:`error_response`, so the extension has exactly one thing to parse.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from sync import errors as E

log = logging.getLogger(__name__)


class ApiError(E.PaperfeedError):
    """An error raised by the server itself, with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, *, details: dict | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message, details=details)
        self.status = status
        self.code = code
        self.headers = headers or {}


# Most specific class first: the first isinstance match wins.
_STATUS_BY_CLASS: tuple[tuple[type[E.PaperfeedError], int], ...] = (
    (E.InvalidInputError, 400),
    (E.NotFoundError, 404),
    (E.BusyError, 409),
    (E.ArxivUnavailableError, 503),
    (E.ZoteroUnavailableError, 503),
    (E.ZoteroAuthError, 502),
    (E.SourceError, 502),
    (E.StorageError, 503),
    (E.ConfigError, 500),
)

# werkzeug's names are fine but not stable identifiers; ours are.
_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error",
}


def status_for(exc: E.PaperfeedError) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(exc, cls):
            return status
    return 500


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(E.PaperfeedError)
    def _paperfeed(exc: E.PaperfeedError) -> Response:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        headers = exc.headers if isinstance(exc, ApiError) else None
        return error_response(status, exc.code, exc.message, exc.details, headers)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> Response:
        return error_response(400, "invalid_input", _summarise(exc.messages), {"fields": exc.messages})

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = _HTTP_CODES.get(status, f"http_{status}")
        message = exc.description or exc.name
        details: dict = {}
        if status == 405 and getattr(exc, "valid_methods", None):
            details["allowed"] = sorted(exc.valid_methods)
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"request body too large (limit {limit} bytes)"
            details["limit"] = limit
        if status == 404:
            message = "no such API route"
        response = error_response(status, code, message, details)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal server error (see the server log)")


def _summarise(messages: Any) -> str:
    """One readable line from marshmallow's nested messages."""
    if isinstance(messages, dict):
        parts = []
        for field, value in messages.items():
            text = value[0] if isinstance(value, list) and value and isinstance(value[0], str) else value
            parts.append(f"{field}: {text}" if not isinstance(text, (dict, list)) else f"{field}: invalid")
        return "invalid request: " + "; ".join(parts)
    return f"invalid request: {messages}"
