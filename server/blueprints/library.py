"""``GET /api/collections`` and ``GET /api/tags``: the popup's pickers, from the synced Zotero index."""

from __future__ import annotations

from flask import Blueprint

from .. import schemas as S
from ..apidoc import Response, operation
from ..context import services
from ..queries import collections, tags

bp = Blueprint("library", __name__)


@bp.get("/api/collections")
@operation("Collections of the synced Zotero library, by name", tags=("library",),
           responses={200: Response("collections", S.CollectionListSchema)})
def list_collections():
    return S.CollectionListSchema().dump({"items": collections(services().store)})


@bp.get("/api/tags")
@operation("Tags of the synced Zotero library, most used first", tags=("library",),
           responses={200: Response("tags", S.TagListSchema)})
def list_tags():
    return S.TagListSchema().dump({"items": tags(services().store)})
