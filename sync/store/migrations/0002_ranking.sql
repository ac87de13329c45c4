-- Rankings: one row per (day, paper) that a rank run scored and selected.
CREATE TABLE rankings (
    announce_date TEXT NOT NULL,
    arxiv_id      TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
    score         REAL NOT NULL,
    rank          INTEGER NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array of suggested Zotero tags
    collection    TEXT,                         -- suggested Zotero collection key
    run_id        INTEGER REFERENCES rank_runs (id) ON DELETE SET NULL,
    PRIMARY KEY (announce_date, arxiv_id)
);
CREATE INDEX rankings_paper ON rankings (arxiv_id);

-- The user's decision on a paper from the popup (latest wins; cleared by "undo").
CREATE TABLE feedback (
    arxiv_id   TEXT PRIMARY KEY,
    action     TEXT NOT NULL CHECK (action IN ('saved', 'dismissed')),
    updated_at TEXT NOT NULL
);

-- Every rank run: when, which day, backend, counts, outcome.
CREATE TABLE rank_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    announce_date TEXT,
    backend       TEXT NOT NULL,
    candidates    INTEGER NOT NULL DEFAULT 0,
    ranked        INTEGER NOT NULL DEFAULT 0,
    library_size  INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL,       -- running | ok | no_candidates | error
    message       TEXT NOT NULL DEFAULT ''
);

-- Text embeddings, keyed by content hash and model: recomputed only when a text changes.
CREATE TABLE embeddings (
    content_hash TEXT NOT NULL,
    model        TEXT NOT NULL,
    dim          INTEGER NOT NULL,
    vector       BLOB NOT NULL,        -- float32, little endian
    PRIMARY KEY (content_hash, model)
);
