-- onewindow core schema (SQLite). Portable types: ids UUIDv7 text, instants epoch ms, JSON as text.
CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT,
    region TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);

CREATE TABLE case_counters (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

-- The case row: `doc` is the whole case as JSON (the fold of its events); the other columns are
-- copies of the fields lists filter and sort on.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    nature TEXT NOT NULL,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL,
    source TEXT NOT NULL,
    region TEXT NOT NULL,
    hub TEXT NOT NULL,
    unit TEXT,
    created_by TEXT,
    reporter_phone TEXT NOT NULL,
    supervised BOOLEAN NOT NULL,
    title TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    due_at BIGINT,
    warn_at BIGINT,
    doc TEXT NOT NULL
);
CREATE INDEX cases_reported ON cases (reported_at, id);
CREATE INDEX cases_status ON cases (status, reported_at);
CREATE INDEX cases_hub ON cases (hub, status);
CREATE INDEX cases_region ON cases (region);
CREATE INDEX cases_due ON cases (due_at);
CREATE INDEX cases_phone ON cases (reporter_phone);
CREATE INDEX cases_created_by ON cases (created_by);

-- Main unit and co-units of each case, for scope and unit filters.
CREATE TABLE case_units (
    case_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    main BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, unit)
);
CREATE INDEX case_units_unit ON case_units (unit, case_id);

-- The append-only timeline.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    actor_name TEXT NOT NULL,
    unit TEXT,
    action TEXT NOT NULL,
    opinion TEXT,
    data TEXT NOT NULL
);
CREATE INDEX events_case ON events (case_id, at, id);

-- jieba tokens of each case (see app::search).
CREATE VIRTUAL TABLE case_search USING fts5 (case_id UNINDEXED, tokens);
