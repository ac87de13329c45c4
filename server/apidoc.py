"""OpenAPI 3 document generated from the routes and the marshmallow schemas.

Each view declares its contract next to its code with :func:`operation`; the
document walks ``app.url_map`` so a route without a declaration is a test failure
(see tests/server/test_openapi.py), not a silent gap in the docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from . import schemas as S


@dataclass(frozen=True)
class Response:
    description: str
    schema: type[Schema] | None = None
    content_type: str | tuple[str, ...] = "application/json"


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, Response]
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    auth: bool = True
    tags: tuple[str, ...] = ()
    path_params: dict[str, str] = field(default_factory=dict)


# 421: any route, when the Host header names a host the server does not answer to (server/hosts.py)
_ERRORS_ALWAYS = {400: "invalid input", 421: "Host header not allowed (DNS rebinding guard)",
                  500: "unexpected server error"}
_ERRORS_AUTH = {401: "missing or wrong token", 503: "no token configured / dependency unavailable"}
_ERRORS_BODY = {413: "request body over server.max_body_bytes"}


def operation(summary: str, *, responses: dict[int, Response], query: type[Schema] | None = None,
              body: type[Schema] | None = None, auth: bool = True, tags: tuple[str, ...] = (),
              path_params: dict[str, str] | None = None) -> Callable:
    """Attach the OpenAPI description of a view (read by :func:`build_spec`)."""

    def decorate(view: Callable) -> Callable:
        view.openapi = Operation(summary, responses, query, body, auth, tags, path_params or {})  # type: ignore[attr-defined]
        return view

    return decorate


_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    return _CONVERTER.sub(r"{\1}", rule)


def build_spec(app: Flask, *, version: str) -> dict[str, Any]:
    spec = APISpec(
        title="paperfeed API", version=version, openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Local JSON API of paperfeed (see docs/api.md). Errors always have the shape "
                             '{"error": {"code", "message", "details"}}.'},
        servers=[{"url": "http://127.0.0.1:8765"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=S.ErrorSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        op: Operation | None = getattr(view, "openapi", None)
        if op is None:
            continue
        methods = sorted(m for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
        path = openapi_path(rule.rule)
        operations = {method.lower(): _operation_dict(op, rule.arguments) for method in methods}
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation_dict(op: Operation, arguments: set[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"summary": op.summary, "tags": list(op.tags), "responses": {}}
    params: list[dict[str, Any]] = []
    for name in sorted(arguments):
        schema: dict[str, Any] = {"type": "string"}
        if name == "paper_id":
            schema["pattern"] = S.PAPER_ID_PATTERN
        params.append({"in": "path", "name": name, "required": True, "schema": schema,
                       "description": op.path_params.get(name, "")})
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    if params:
        result["parameters"] = params
    if op.body is not None:
        result["requestBody"] = {"required": False, "content": {"application/json": {"schema": op.body}}}
    if op.auth:
        result["security"] = [{"bearer": []}]
    for status, response in op.responses.items():
        entry: dict[str, Any] = {"description": response.description}
        types = (response.content_type,) if isinstance(response.content_type, str) else response.content_type
        if response.schema is not None:
            entry["content"] = {t: {"schema": response.schema} for t in types}
        elif types != ("application/json",):
            entry["content"] = {t: {"schema": {"type": "string"}} for t in types}
        result["responses"][str(status)] = entry
    errors = dict(_ERRORS_ALWAYS)
    if op.auth:
        errors.update(_ERRORS_AUTH)
    if op.body is not None:
        errors.update(_ERRORS_BODY)
    for status, description in errors.items():
        result["responses"].setdefault(str(status), {
            "description": description,
            "content": {"application/json": {"schema": "Error"}},
        })
    return result
