-- The local index of the user's Zotero library (regular top-level items only).
CREATE TABLE library_items (
    key          TEXT PRIMARY KEY,
    version      INTEGER NOT NULL DEFAULT 0,
    item_type    TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    abstract     TEXT NOT NULL DEFAULT '',
    creators     TEXT NOT NULL DEFAULT '[]',   -- JSON list of "First Last"
    tags         TEXT NOT NULL DEFAULT '[]',   -- JSON list of tag names
    collections  TEXT NOT NULL DEFAULT '[]',   -- JSON list of collection keys
    date_added   TEXT,
    arxiv_id     TEXT,                          -- canonical versionless id, when the item is an arXiv paper
    doi          TEXT,                          -- lower-cased DOI
    url          TEXT,                          -- normalised url (no scheme, no trailing slash)
    citation_key TEXT
);
CREATE INDEX library_items_arxiv ON library_items (arxiv_id);
CREATE INDEX library_items_doi ON library_items (doi);
CREATE INDEX library_items_url ON library_items (url);
CREATE INDEX library_items_citation_key ON library_items (citation_key);

CREATE TABLE library_collections (
    key        TEXT PRIMARY KEY,
    version    INTEGER NOT NULL DEFAULT 0,
    name       TEXT NOT NULL,
    parent_key TEXT
);

-- One row: which library the index mirrors, up to which version, and an interrupted pull's work.
CREATE TABLE library_sync_state (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    library            TEXT NOT NULL,          -- "users/123" | "groups/456"
    version            INTEGER NOT NULL DEFAULT 0,   -- library version fully mirrored
    target_version     INTEGER,                -- version a pull in progress is heading to
    pending_items      TEXT NOT NULL DEFAULT '[]',   -- item keys still to fetch for target_version
    pending_collections TEXT NOT NULL DEFAULT '[]',
    last_synced_at     TEXT,
    last_result        TEXT NOT NULL DEFAULT ''
);

-- Accepted papers waiting to be (or already) written to Zotero.
CREATE TABLE zotero_outbox (
    arxiv_id        TEXT PRIMARY KEY,
    library         TEXT NOT NULL,
    item_key        TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    collection      TEXT,                      -- collection key or name chosen/suggested
    note            TEXT,
    status          TEXT NOT NULL DEFAULT 'pending',  -- pending | done | failed
    outcome         TEXT,                      -- saved | already_in_library (when done)
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    pushed_at       TEXT
);
CREATE INDEX zotero_outbox_status ON zotero_outbox (status, next_attempt_at);

-- Citation keys handed out, so a paper keeps its key and two papers never share one.
CREATE TABLE bibtex_keys (
    arxiv_id     TEXT PRIMARY KEY,
    citation_key TEXT NOT NULL UNIQUE
);
