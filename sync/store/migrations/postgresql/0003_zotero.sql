-- PostgreSQL twin of ../0003_zotero.sql. Everything here is per user.
-- @user
CREATE TABLE library_items (
    key          TEXT PRIMARY KEY,
    version      INTEGER NOT NULL DEFAULT 0,
    item_type    TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    abstract     TEXT NOT NULL DEFAULT '',
    creators     TEXT NOT NULL DEFAULT '[]',
    tags         TEXT NOT NULL DEFAULT '[]',
    collections  TEXT NOT NULL DEFAULT '[]',
    date_added   TEXT,
    arxiv_id     TEXT,
    doi          TEXT,
    url          TEXT,
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

CREATE TABLE library_sync_state (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    library             TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 0,
    target_version      INTEGER,
    pending_items       TEXT NOT NULL DEFAULT '[]',
    pending_collections TEXT NOT NULL DEFAULT '[]',
    last_synced_at      TEXT,
    last_result         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE zotero_outbox (
    arxiv_id        TEXT PRIMARY KEY,
    library         TEXT NOT NULL,
    item_key        TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    collection      TEXT,
    note            TEXT,
    status          TEXT NOT NULL DEFAULT 'pending',
    outcome         TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    pushed_at       TEXT
);
CREATE INDEX zotero_outbox_status ON zotero_outbox (status, next_attempt_at);

CREATE TABLE bibtex_keys (
    arxiv_id     TEXT PRIMARY KEY,
    citation_key TEXT NOT NULL UNIQUE
);
