"""``GET /api/report`` (Markdown or HTML) and ``GET /feed.atom`` (for feed readers)."""

from __future__ import annotations

from flask import Blueprint, Response as FlaskResponse

from sync.reports import render_atom, render_report

from .. import schemas as S
from ..apidoc import Response, operation
from ..auth import bearer_token, check_feed_token, check_token
from ..context import load_query, services
from ..hosts import public_url

bp = Blueprint("reports", __name__)

_MIMETYPES = {"md": "text/markdown", "html": "text/html"}


@bp.get("/api/report")
@operation("The daily report (or the weekly digest with week=true) as Markdown or HTML",
           query=S.ReportQuerySchema, tags=("reports",),
           responses={200: Response("the report", content_type=("text/markdown", "text/html"))})
def report():
    q = load_query(S.ReportQuerySchema)
    svc = services()
    text = render_report(svc.store, svc.config, day=q.get("date"), week=q["week"], fmt=q["format"])
    return FlaskResponse(text, mimetype=_MIMETYPES[q["format"]])


@bp.get("/feed.atom")
@operation("Atom feed of the matches: the read-only feed token in ?token= (for feed readers), or the API "
           "token in the Authorization header",
           query=S.FeedQuerySchema, tags=("reports",),
           responses={200: Response("Atom feed", content_type="application/atom+xml")})
def atom_feed():
    q = load_query(S.FeedQuerySchema)
    if "token" in q:
        check_feed_token(q["token"])
    else:
        check_token(bearer_token())
    svc = services()
    text = render_atom(svc.store, svc.config, feed_url=public_url(svc.config) + "/feed.atom")
    return FlaskResponse(text, mimetype="application/atom+xml")
