"""``GET /api/openapi.json``: the OpenAPI 3 document, generated once per app from the schemas."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from sync import __version__

from ..apidoc import Response, build_spec, operation
from ..context import services

bp = Blueprint("openapi", __name__)


@bp.get("/api/openapi.json")
@operation("This OpenAPI 3 document (no token needed)", auth=False, tags=("meta",),
           responses={200: Response("the OpenAPI document")})
def openapi_document():
    svc = services()
    if svc.openapi is None:
        svc.openapi = build_spec(current_app, version=__version__)
    return jsonify(svc.openapi)
