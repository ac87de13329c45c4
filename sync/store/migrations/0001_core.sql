-- Papers, keyed by versionless arXiv id; lists are JSON arrays.
CREATE TABLE papers (
    arxiv_id         TEXT PRIMARY KEY,
    version          INTEGER NOT NULL DEFAULT 1,
    title            TEXT NOT NULL,
    authors          TEXT NOT NULL DEFAULT '[]',
    abstract         TEXT NOT NULL DEFAULT '',
    categories       TEXT NOT NULL DEFAULT '[]',
    primary_category TEXT NOT NULL DEFAULT '',
    comment          TEXT,
    journal_ref      TEXT,
    doi              TEXT,
    published        TEXT,
    updated          TEXT,
    announce_date    TEXT,           -- date of the announcement that first listed it as new/cross
    announce_type    TEXT,           -- new | cross | replace | replace-cross (latest seen)
    first_seen_at    TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL
);
CREATE INDEX papers_announce_date ON papers (announce_date);

-- Which papers each day's announcement listed, and how (one row per day, paper and source).
CREATE TABLE announcements (
    announce_date TEXT NOT NULL,
    arxiv_id      TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
    announce_type TEXT NOT NULL,
    version       INTEGER NOT NULL,
    source        TEXT NOT NULL,       -- feed | backfill | sample
    PRIMARY KEY (announce_date, arxiv_id, source)
);
CREATE INDEX announcements_paper ON announcements (arxiv_id);

-- Papers found by keyword watches.
CREATE TABLE keyword_hits (
    keyword       TEXT NOT NULL,
    arxiv_id      TEXT NOT NULL REFERENCES papers (arxiv_id) ON DELETE CASCADE,
    first_seen_on TEXT NOT NULL,
    PRIMARY KEY (keyword, arxiv_id)
);

-- Every fetch: when, what, outcome.
CREATE TABLE fetch_runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    kind          TEXT NOT NULL,       -- feed | keywords | backfill | sample
    query         TEXT NOT NULL,
    announce_date TEXT,
    outcome       TEXT NOT NULL,       -- running | ok | no_announcement | unreachable | error
    new_count     INTEGER NOT NULL DEFAULT 0,
    cross_count   INTEGER NOT NULL DEFAULT 0,
    updated_count INTEGER NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetch_runs_started ON fetch_runs (started_at);
