"""Every request and response body of the API, as marshmallow schemas.

Requests are validated by ``load`` (unknown fields are an error, so typos such as
``min-score`` get a clear 400 instead of being ignored); responses are produced by
``dump`` from plain dicts. The OpenAPI document is generated from these same
classes, so the document cannot drift from what the code accepts and returns.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

PAPER_STATUSES = ("new", "saved", "dismissed", "in_library")
ANNOUNCEMENT_STATES = ("ok", "no_announcement", "unreachable", "not_fetched", "error")
SAVE_STATUSES = ("saved", "already_in_library", "queued", "failed")
SYNC_STATES = ("idle", "running", "done", "failed")

MAX_LIMIT = 500
MAX_TAG_LENGTH = 255  # Zotero's limit; the popup's chips allow the same


# The forms of a paper id the OpenAPI document promises (the server takes more: URLs, DOIs, oai:
# ids; see ID_HELP): new-style ids from 0704.0001 (four digits to 1412, five from 1501), old-style
# ids of the known archives, an optional version and ``arXiv:`` prefix, surrounding blanks.
_NEW_ID = (r"(?:07(?:0[4-9]|1[0-2])|0[89](?:0[1-9]|1[0-2])|1[0-4](?:0[1-9]|1[0-2]))\.[0-9]{4}"
           r"|(?:1[5-9]|[2-9][0-9])(?:0[1-9]|1[0-2])\.[0-9]{5}")
_OLD_ID = r"(?:hep-th|hep-ph|hep-lat|hep-ex|gr-qc|astro-ph|cond-mat|quant-ph|math|nucl-th|physics|cs)" \
          r"/[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{3}"
PAPER_ID_PATTERN = rf"^\s*(?:[aA][rR][xX][iI][vV]:)?(?:{_NEW_ID}|{_OLD_ID})(?:v[1-9][0-9]{{0,3}})?\s*$"


class StrictBool(fields.Boolean):
    """A JSON ``true``/``false`` only (marshmallow's Boolean also takes 0, 1, "yes", "on", ...);
    in a query string, the words ``true``/``false``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if self.metadata.get("query") and isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise self.make_error("invalid")


class _Strict(Schema):
    class Meta:
        unknown = RAISE


# --- errors -----------------------------------------------------------------------------------
class ErrorBodySchema(Schema):
    code = fields.Str(required=True, metadata={"example": "invalid_arxiv_id"})
    message = fields.Str(required=True)
    details = fields.Dict(required=True)


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


# --- health -----------------------------------------------------------------------------------
class RunInfoSchema(Schema):
    at = fields.Str(allow_none=True, required=True, metadata={"description": "ISO 8601 UTC time"})
    outcome = fields.Str(required=True)
    message = fields.Str(required=True)


class ConfiguredSchema(Schema):
    zotero = fields.Bool(required=True)


class UserHealthSchema(Schema):
    name = fields.Str(required=True)
    last_cycle_at = fields.Str(allow_none=True, required=True)
    problem = fields.Str(required=True, metadata={"description": "what went wrong in the user's last daily cycle"
                                                                 " ('' when nothing)"})


class HealthSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(["ok"]))
    version = fields.Str(required=True)
    store = fields.Str(required=True, validate=validate.OneOf(["ok", "error"]))
    configured = fields.Nested(ConfiguredSchema, required=True)
    last_fetch = fields.Nested(RunInfoSchema, allow_none=True, required=True)
    last_rank = fields.Nested(RunInfoSchema, allow_none=True, required=True)
    last_sync = fields.Nested(RunInfoSchema, allow_none=True, required=True)
    problems = fields.List(fields.Str(), required=True,
                           metadata={"description": "setup problems to fix (e.g. a config file holding "
                                                    "secrets that other users can read); empty when none"})
    users = fields.List(fields.Nested(UserHealthSchema), metadata={
        "description": "lab server, admin token only: every user's last daily cycle and its problem"})


# --- papers -----------------------------------------------------------------------------------
class PaperSchema(Schema):
    id = fields.Str(required=True, metadata={"example": "2509.01234"})
    version = fields.Int(required=True)
    title = fields.Str(required=True)
    authors = fields.List(fields.Str(), required=True)
    abstract = fields.Str(required=True)
    categories = fields.List(fields.Str(), required=True)
    primary_category = fields.Str(required=True)
    comment = fields.Str(allow_none=True, required=True)
    journal_ref = fields.Str(allow_none=True, required=True)
    doi = fields.Str(allow_none=True, required=True)
    published = fields.Str(allow_none=True, required=True)
    updated = fields.Str(allow_none=True, required=True)
    announce_date = fields.Str(allow_none=True, required=True)
    announce_type = fields.Str(allow_none=True, required=True)
    abs_url = fields.Str(required=True)
    pdf_url = fields.Str(required=True)


class CollectionRefSchema(Schema):
    key = fields.Str(required=True)
    name = fields.Str(required=True)


SAVE_STATES = ("queued", "saved", "failed")


class SaveStateSchema(Schema):
    state = fields.Str(required=True, validate=validate.OneOf(SAVE_STATES),
                       metadata={"description": "queued: waiting in the outbox (poll the paper); saved; failed"})
    item_key = fields.Str(allow_none=True, required=True, metadata={"description": "Zotero item key once saved"})
    tags = fields.List(fields.Str(), required=True)
    collection = fields.Nested(CollectionRefSchema, allow_none=True, required=True)
    message = fields.Str(required=True)
    updated = fields.Str(required=True, metadata={"description": "ISO 8601 UTC time of the last change"})


class MatchSchema(Schema):
    paper = fields.Nested(PaperSchema, required=True)
    score = fields.Float(required=True)
    reason = fields.Str(required=True)
    tags = fields.List(fields.Str(), required=True)
    collection = fields.Nested(CollectionRefSchema, allow_none=True, required=True)
    status = fields.Str(required=True, validate=validate.OneOf(PAPER_STATUSES))
    item_key = fields.Str(allow_none=True, required=True)
    rank = fields.Int(required=True)
    save = fields.Nested(SaveStateSchema, allow_none=True, required=True,
                         metadata={"description": "the paper's save record; null when never saved"})


class PapersQuerySchema(_Strict):
    date = fields.Date(metadata={"description": "announcement date (default: the newest ranked date)"})
    min_score = fields.Float(allow_nan=False)
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    status = fields.Str(validate=validate.OneOf(PAPER_STATUSES))


class PapersPageSchema(Schema):
    date = fields.Str(allow_none=True, required=True)
    announcement = fields.Str(required=True, validate=validate.OneOf(ANNOUNCEMENT_STATES))
    message = fields.Str(required=True)
    total = fields.Int(required=True)
    limit = fields.Int(required=True)
    offset = fields.Int(required=True)
    items = fields.List(fields.Nested(MatchSchema), required=True)


class PaperDetailSchema(Schema):
    paper = fields.Nested(PaperSchema, required=True)
    in_library = fields.Bool(required=True)
    item_key = fields.Str(allow_none=True, required=True)
    status = fields.Str(required=True, validate=validate.OneOf(PAPER_STATUSES))
    match = fields.Nested(MatchSchema, allow_none=True, required=True)
    save = fields.Nested(SaveStateSchema, allow_none=True, required=True,
                         metadata={"description": "the paper's save record; null when never saved"})
    bibtex = fields.Str(required=True)
    related = fields.List(fields.Nested(MatchSchema), required=True)


class SaveRequestSchema(_Strict):
    tags = fields.List(fields.Str(validate=validate.Length(min=1, max=MAX_TAG_LENGTH)), load_default=None,
                       allow_none=True,
                       validate=validate.Length(max=50),
                       metadata={"description": "the item's tags as the user left them; omit or null: the "
                                                "suggested tags (the marker tag is always added)"})
    collection = fields.Str(allow_none=True, validate=validate.Length(min=1, max=MAX_TAG_LENGTH),
                            metadata={"description": "collection key or name; null: no collection; omitted: "
                                                     "the suggested collection (else zotero.default_collection)"})
    note = fields.Str(allow_none=True, load_default=None, validate=validate.Length(max=20_000))


class SaveResultSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(SAVE_STATUSES))
    item_key = fields.Str(allow_none=True, required=True)
    message = fields.Str(required=True)
    save = fields.Nested(SaveStateSchema, allow_none=True, required=True)


class FeedbackResultSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(("new", "dismissed")))


# --- library ----------------------------------------------------------------------------------
class CollectionSchema(Schema):
    key = fields.Str(required=True)
    name = fields.Str(required=True)
    parent = fields.Str(allow_none=True, required=True)


class CollectionListSchema(Schema):
    items = fields.List(fields.Nested(CollectionSchema), required=True)


class TagSchema(Schema):
    tag = fields.Str(required=True)
    count = fields.Int(required=True)


class TagListSchema(Schema):
    items = fields.List(fields.Nested(TagSchema), required=True)


# --- sync -------------------------------------------------------------------------------------
class SyncRequestSchema(_Strict):
    sample = StrictBool(load_default=False, metadata={"description": "run on the bundled sample data"})


class SyncOutcomeSchema(Schema):
    state = fields.Str(required=True, validate=validate.OneOf(("done", "failed")))
    message = fields.Str(required=True)
    finished_at = fields.Str(required=True)


class SyncStateSchema(Schema):
    state = fields.Str(required=True, validate=validate.OneOf(SYNC_STATES))
    step = fields.Str(allow_none=True, required=True)
    started_at = fields.Str(allow_none=True, required=True)
    finished_at = fields.Str(allow_none=True, required=True)
    last_outcome = fields.Nested(SyncOutcomeSchema, allow_none=True, required=True)


# --- reports ----------------------------------------------------------------------------------
class ReportQuerySchema(_Strict):
    date = fields.Date()
    format = fields.Str(load_default="md", validate=validate.OneOf(("md", "html")))
    week = StrictBool(load_default=False, metadata={"description": "weekly digest ending at `date`", "query": True})


class FeedQuerySchema(_Strict):
    token = fields.Str(metadata={"description": "the read-only feed token (`paperfeed feed-token`), for feed "
                                                "readers that cannot send headers; never the API token"})
