"""Check every object against Zotero's own schema before it is sent.

The schema (``zotero-schema.json``, version 41, copied from zotero/zotero-schema)
is bundled with the package. A field a type does not have, a non-string value, a
creator type the type does not allow, or a bad tag would make the API fail that
object; catching it here gives a clear error and keeps the outbox entry intact.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..errors import InvalidInputError

_COMMON = {"key", "version", "itemType", "creators", "tags", "collections", "relations", "parentItem",
           "dateAdded", "dateModified", "deleted"}
_EXTRA_BY_TYPE = {
    "note": {"note"},
    "attachment": {"note", "linkMode", "contentType", "charset", "filename", "md5", "mtime", "path"},
}
MAX_TAG_LENGTH = 255


@lru_cache(maxsize=1)
def _schema() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """itemType -> (fields, creator types)."""
    raw = json.loads(resources.files("sync.zotero").joinpath("zotero-schema.json").read_text(encoding="utf-8"))
    return {
        t["itemType"]: (frozenset(f["field"] for f in t["fields"]),
                        frozenset(c["creatorType"] for c in t.get("creatorTypes", [])))
        for t in raw["itemTypes"]
    }


def schema_version() -> int:
    raw = json.loads(resources.files("sync.zotero").joinpath("zotero-schema.json").read_text(encoding="utf-8"))
    return int(raw["version"])


def item_fields(item_type: str) -> frozenset[str]:
    return _schema()[item_type][0]


def validate_item(data: dict) -> None:
    """Raise :class:`InvalidInputError` naming the first problem of an item object."""
    item_type = data.get("itemType")
    if item_type not in _schema():
        raise InvalidInputError(f"unknown Zotero item type {item_type!r}")
    fields, creator_types = _schema()[item_type]
    allowed = fields | _COMMON | _EXTRA_BY_TYPE.get(item_type, set())
    for name, value in data.items():
        if name not in allowed:
            raise InvalidInputError(f"{name!r} is not a valid field for Zotero item type {item_type!r}")
        if name in fields and not isinstance(value, str):
            raise InvalidInputError(f"Zotero field {name!r} must be a string (got {type(value).__name__})")
    for creator in data.get("creators", []):
        if creator.get("creatorType") not in creator_types:
            raise InvalidInputError(f"creator type {creator.get('creatorType')!r} is not valid for {item_type!r}")
        named = bool(creator.get("name")) or bool(creator.get("lastName"))
        if not named or ("name" in creator and ("firstName" in creator or "lastName" in creator)):
            raise InvalidInputError(f"creator {creator!r} needs either name, or firstName/lastName")
    for tag in data.get("tags", []):
        text = tag.get("tag") if isinstance(tag, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError("a Zotero tag must be a non-empty string")
        if len(text) > MAX_TAG_LENGTH:
            raise InvalidInputError(f"tag {text[:40]!r}... is longer than {MAX_TAG_LENGTH} characters")
        if tag.get("type", 0) not in (0, 1):
            raise InvalidInputError(f"tag type must be 0 or 1 (got {tag.get('type')!r})")
    if item_type in ("note", "attachment") and "collections" in data and data.get("parentItem"):
        raise InvalidInputError("child notes and attachments cannot be in collections")
    if item_type == "attachment" and data.get("linkMode") not in ("linked_url", "imported_url", "imported_file",
                                                                    "linked_file"):
        raise InvalidInputError("an attachment needs a linkMode")


def validate_collection(data: dict) -> None:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("a collection needs a name")
    if len(name) > 255:
        raise InvalidInputError("collection names are at most 255 characters")
