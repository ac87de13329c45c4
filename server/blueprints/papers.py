"""``/api/papers``: the day's matches, one paper (any id form), save, dismiss, undo, BibTeX."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response as FlaskResponse, current_app, request
from werkzeug.routing import PathConverter

from sync.ids import ArxivId, parse_arxiv_id
from sync.models import Paper
from sync.saving.accept import SUGGESTED, accept_paper
from sync.saving.metadata import find_paper, paper_bibtex
from sync.saving.status import result_of

from .. import schemas as S
from ..announcement import announcement_state
from ..apidoc import Response, operation
from ..context import change_marker, load_body, load_query, services
from ..errors import ApiError
from ..present import display_status, match_json, matches_json, paper_json
from ..queries import all_ranked, library_view, matches_page
from ..related import related_matches

bp = Blueprint("papers", __name__)

ID_HELP = ("arXiv id in any form: 2501.01234, 2501.01234v2, hep-th/9901001, arXiv:2501.01234, "
           "https://arxiv.org/abs/2501.01234 (percent-encoded or not)")
_NOT_FOUND = {404: Response("no such paper on arXiv", S.ErrorSchema)}
_COLLAPSED_SCHEME = re.compile(r"^(https?:)/(?!/)", re.IGNORECASE)


class PaperPathConverter(PathConverter):
    """``<paper:...>``: a paper id that may contain ``/`` (old-style ids, URLs) but does not end in
    one of the sub-resources, so ``/api/papers/ID/save`` matches only the POST route and its 405
    and ``OPTIONS`` answers name only the methods it allows."""

    regex = r"[^/](?:(?!/(?:save|dismiss|undo|bibtex)$).)*"


def parse_id(raw: str) -> ArxivId:
    """Parse the id part of the URL; a proxy or client may have collapsed ``https://`` to ``https:/``."""
    return parse_arxiv_id(_COLLAPSED_SCHEME.sub(r"\1//", raw))


def _require_paper(arxiv_id: str) -> Paper:
    """The stored paper, else fetched from arXiv and stored (NotFoundError -> 404 when arXiv has none)."""
    svc = services()
    return find_paper(svc.store, svc.interactive, arxiv_id)


@bp.get("/api/papers")
@operation("A day's ranked matches (default: the newest ranked day), with the announcement state",
           query=S.PapersQuerySchema, tags=("papers",), responses={200: Response("matches", S.PapersPageSchema)})
def list_papers():
    svc = services()
    # Keyed by the raw query string: a cached page was validated when it was rendered.
    key = ("papers", change_marker(svc), request.query_string)
    page = svc.responses.get(key)
    if page is None:
        page = svc.responses.put(key, _papers_page(load_query(S.PapersQuerySchema)))
    response = current_app.response_class(page.body, mimetype="application/json")
    response.set_etag(page.etag)
    return response.make_conditional(request)


def _papers_page(q: dict) -> bytes:
    store = services().store
    day = q.get("date") or store.latest_ranked_day()
    limit, offset = q["limit"], q["offset"]
    items: list[dict] = []
    total = 0
    if day is not None:
        total, items = matches_page(store, day, min_score=q.get("min_score"), status=q.get("status"),
                                    limit=limit, offset=offset)
    state = announcement_state(store.fetch_runs(limit=20), day, total=total, explicit_date="date" in q,
                               rank_run=store.rank_run_for(day) if day is not None and total == 0 else None)
    # The hot route: present.py already builds the documented shape, so no marshmallow dump
    # (a third of the request's time); the schemathesis run checks it against the document.
    return json.dumps({
        "date": day.isoformat() if day else None, "announcement": state.state, "message": state.message,
        "total": total, "limit": limit, "offset": offset, "items": items,
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@bp.get("/api/papers/<paper:paper_id>")
@operation("One paper: library state, its match if ranked, BibTeX and related new papers; papers not "
           "stored yet are fetched from arXiv", tags=("papers",), path_params={"paper_id": ID_HELP},
           responses={200: Response("the paper", S.PaperDetailSchema), **_NOT_FOUND})
def get_paper(paper_id: str):
    arxiv_id = parse_id(paper_id).id
    store = services().store
    paper = _require_paper(arxiv_id)
    day = store.latest_ranking_date()
    candidates = all_ranked(store, day) if day else []
    ranked = next((r for r in candidates if r.paper.arxiv_id == arxiv_id), None)
    related = related_matches(paper, [r for r in candidates if r.status != "dismissed"])
    library = library_view(store, [ranked, *related] if ranked else related, extra_ids=[arxiv_id])
    match = match_json(ranked, library) if ranked else None
    item_key = library.item_key(arxiv_id)
    return S.PaperDetailSchema().dump({
        "paper": paper_json(paper),
        "in_library": item_key is not None,
        "item_key": item_key,
        "status": match["status"] if match else display_status("new", item_key is not None),
        "match": match,
        "save": library.save(arxiv_id),
        "bibtex": paper_bibtex(store, paper),
        "related": matches_json(related, library),
    })


@bp.get("/api/papers/<path:paper_id>/bibtex")
@operation("The paper's BibTeX entry", tags=("papers",), path_params={"paper_id": ID_HELP},
           responses={200: Response("BibTeX", content_type="text/x-bibtex"), **_NOT_FOUND})
def get_bibtex(paper_id: str):
    paper = _require_paper(parse_id(paper_id).id)
    return FlaskResponse(paper_bibtex(services().store, paper), mimetype="text/x-bibtex")


@bp.post("/api/papers/<path:paper_id>/save")
@operation("Save the paper to Zotero: recorded in the outbox, answered within zotero.save_wait_seconds "
           "(saved, or queued while the background pusher works); idempotent",
           body=S.SaveRequestSchema, tags=("papers",), path_params={"paper_id": ID_HELP},
           responses={200: Response("saved, or already in the library", S.SaveResultSchema),
                      202: Response("queued: the background pusher saves it; poll GET /api/papers/{id} until its "
                                    "save.state is no longer queued", S.SaveResultSchema),
                      502: Response("Zotero refused the item", S.ErrorSchema), **_NOT_FOUND})
def save_paper(paper_id: str):
    arxiv_id = parse_id(paper_id).id
    body = load_body(S.SaveRequestSchema)
    svc = services()
    # accept_paper looks the paper up itself: unknown on arXiv -> 404; arXiv down -> accepted and queued.
    # It never calls Zotero: the background pusher does, and this thread waits for it a moment at most.
    tags = None if body["tags"] is None else tuple(body["tags"])
    result = accept_paper(svc.store, svc.interactive, arxiv_id, tags=tags,
                          collection=body.get("collection", SUGGESTED), note=body["note"])
    if result is None:
        ticket = svc.pusher.push_soon()
        svc.pusher.wait(ticket, svc.config["zotero.save_wait_seconds"])
        result = result_of(svc.store.outbox_entry(arxiv_id))
    view = library_view(svc.store, [], extra_ids=[arxiv_id])
    payload = {"status": result.status, "item_key": result.item_key, "message": result.message or "",
               "save": view.save(arxiv_id)}
    if result.status == "failed":
        raise ApiError(502, "save_failed", payload["message"] or "Zotero refused the item", details=payload)
    return S.SaveResultSchema().dump(payload), 202 if result.status == "queued" else 200


@bp.post("/api/papers/<path:paper_id>/dismiss")
@operation("Mark the paper \"not interested\" (ranking learns from it)", tags=("papers",),
           path_params={"paper_id": ID_HELP},
           responses={200: Response("dismissed", S.FeedbackResultSchema), **_NOT_FOUND})
def dismiss_paper(paper_id: str):
    arxiv_id = parse_id(paper_id).id
    store = services().store
    _require_stored(arxiv_id)
    store.set_feedback(arxiv_id, "dismissed")
    return S.FeedbackResultSchema().dump({"status": "dismissed"})


@bp.post("/api/papers/<path:paper_id>/undo")
@operation("Forget the user's save/dismiss decision (the Zotero item, if any, is kept)", tags=("papers",),
           path_params={"paper_id": ID_HELP},
           responses={200: Response("back to new", S.FeedbackResultSchema), **_NOT_FOUND})
def undo_paper(paper_id: str):
    arxiv_id = parse_id(paper_id).id
    store = services().store
    _require_stored(arxiv_id)
    store.clear_feedback(arxiv_id)
    return S.FeedbackResultSchema().dump({"status": "new"})


def _require_stored(arxiv_id: str) -> None:
    if services().store.get_paper(arxiv_id) is None:
        raise ApiError(404, "not_found", f"paper {arxiv_id} is not in the store (nothing to dismiss or undo)",
                       details={"id": arxiv_id})
