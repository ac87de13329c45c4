-- Named locks held across processes (the daily cycle): one row per held lock.
CREATE TABLE locks (
    name        TEXT PRIMARY KEY,
    token       TEXT NOT NULL,          -- random per holder: only the holder may release/refresh
    owner_pid   INTEGER NOT NULL,
    owner_host  TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL           -- ISO UTC; a lock past this is stale and may be taken
);

-- Every daily cycle: when, for which day, how each step went.
CREATE TABLE cycle_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    day         TEXT,
    sample      INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,          -- running | ok | failed
    steps       TEXT NOT NULL DEFAULT '[]',  -- JSON list of {name, status, message}
    message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cycle_runs_started ON cycle_runs (started_at);

-- What was delivered where, so a second run of the same day does not send the same email twice.
CREATE TABLE deliveries (
    day          TEXT NOT NULL,
    kind         TEXT NOT NULL,         -- daily | weekly
    channel      TEXT NOT NULL,         -- email
    fingerprint  TEXT NOT NULL,         -- what was delivered (papers and reason), not when
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (day, kind, channel)
);
