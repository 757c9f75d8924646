-- Compact storage, second step (issue 7: ten million cases on one small machine).
--
-- * Case and event ids are stored as their 16 bytes, not 36 characters of text: a case's id is
--   written about ten times (its row, its indexes, its events, its units, its metrics), so text
--   ids were a fifth of the database.
-- * An event row is its key (case, instant, id) and one packed body (store::packed, tag 3) holding
--   the actor, action, opinion and data: one compressed value instead of six columns.
-- * The search index keeps no copy of the tokens (contentless FTS5) and no positions (detail=none:
--   every query is an AND of whole tokens); its rowid is the case's `seq`, an INTEGER PRIMARY KEY
--   so that VACUUM keeps it (SQLite may renumber an implicit rowid). The tokens are already cut
--   and lower-cased by app::search, so FTS5's plain ascii tokenizer only splits them at spaces.
-- * The events(at) index (half a kilobyte per case) is gone: the unit metrics no longer start from
--   a month's events but from their own counters (metric_counts, metric_marks, metric_clocks).
-- * Columns that are NULL for most of history (due_at, next_alert_at, merged_into) are indexed
--   only where they are set.
--
-- Old rows move in SQL here, except the events, whose bodies must be compressed: they are renamed
-- to events_v1 and moved by the store on first start (store::upgrade), resumably, in batches.

DROP INDEX IF EXISTS cases_reported;
DROP INDEX IF EXISTS cases_hub;
DROP INDEX IF EXISTS cases_region;
DROP INDEX IF EXISTS cases_due;
DROP INDEX IF EXISTS cases_phone;
DROP INDEX IF EXISTS cases_created_by;
DROP INDEX IF EXISTS cases_merged_into;
DROP INDEX IF EXISTS cases_unit;
DROP INDEX IF EXISTS cases_next_alert;
DROP INDEX IF EXISTS cases_open_due;
DROP INDEX IF EXISTS cases_status_order;
DROP INDEX IF EXISTS case_units_unit;
DROP INDEX IF EXISTS events_at;
ALTER TABLE cases RENAME TO cases_v1;
ALTER TABLE case_units RENAME TO case_units_v1;
ALTER TABLE events RENAME TO events_v1;

CREATE TABLE cases (
    seq INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
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
    created_by BLOB,
    reporter_phone TEXT NOT NULL,
    supervised BOOLEAN NOT NULL,
    title TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    due_at BIGINT,
    warn_at BIGINT,
    doc BLOB NOT NULL,
    sign_due BIGINT,
    signed_at BIGINT,
    handle_due BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    satisfaction TEXT,
    merged_into BLOB,
    next_alert_at BIGINT
);
INSERT INTO cases (id, number, version, status, nature, category, urgency, source, region, hub, unit, created_by, reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, merged_into, next_alert_at)
    SELECT unhex(replace(id, '-', '')), number, version, status, nature, category, urgency, source, region, hub, unit, unhex(replace(created_by, '-', '')), reporter_phone, supervised, title, reported_at, created_at, updated_at, due_at, warn_at, doc, sign_due, signed_at, handle_due, resolved_at, closed_at, satisfaction, unhex(replace(merged_into, '-', '')), next_alert_at
    FROM cases_v1 ORDER BY rowid;
DROP TABLE cases_v1;

-- Lists filter on one status and show the newest first: the order is the index order.
CREATE INDEX cases_status_order ON cases (status, reported_at, id);
CREATE INDEX cases_reported ON cases (reported_at, id);
CREATE INDEX cases_hub ON cases (hub, status);
CREATE INDEX cases_unit ON cases (unit, status);
CREATE INDEX cases_region ON cases (region);
CREATE INDEX cases_phone ON cases (reporter_phone);
CREATE INDEX cases_created_by ON cases (created_by);
CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_next_alert ON cases (next_alert_at) WHERE next_alert_at IS NOT NULL;
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX cases_open_due ON cases (status, reported_at, due_at, unit) WHERE status IN ('dispatched', 'in_progress');

CREATE TABLE case_units (
    case_id BLOB NOT NULL,
    unit TEXT NOT NULL,
    main BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, unit)
) WITHOUT ROWID;
INSERT INTO case_units (case_id, unit, main)
    SELECT unhex(replace(case_id, '-', '')), unit, main FROM case_units_v1;
DROP TABLE case_units_v1;
CREATE INDEX case_units_unit ON case_units (unit, case_id);

CREATE TABLE events (
    case_id BLOB NOT NULL,
    at BIGINT NOT NULL,
    id BLOB NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (case_id, at, id)
) WITHOUT ROWID;

-- The search index: rowid = cases.seq.
CREATE VIRTUAL TABLE case_search_v2 USING fts5 (tokens, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
INSERT INTO case_search_v2 (rowid, tokens)
    SELECT c.seq, s.tokens FROM case_search s JOIN cases c ON c.id = unhex(replace(s.case_id, '-', ''));
DROP TABLE case_search;
ALTER TABLE case_search_v2 RENAME TO case_search;

UPDATE case_alerts SET case_id = unhex(replace(case_id, '-', ''));
UPDATE notifications SET case_id = unhex(replace(case_id, '-', '')) WHERE case_id IS NOT NULL;

-- Unit metrics (app::metrics), kept in step with every case write like the cockpit's tallies.
-- The marks of a case in a month (one line per mark: unit, metric, value), for the cases behind a
-- number and for recounts;
CREATE TABLE metric_marks (
    month BIGINT NOT NULL,
    case_id BLOB NOT NULL,
    marks TEXT NOT NULL,
    PRIMARY KEY (month, case_id)
) WITHOUT ROWID;
-- their sums per month, unit (the unit itself, not its subtree) and metric;
CREATE TABLE metric_counts (
    month BIGINT NOT NULL,
    unit TEXT NOT NULL,
    metric TEXT NOT NULL,
    n BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (month, unit, metric)
) WITHOUT ROWID;
-- and each case's running handling clock, filed under the month of its deadline (超期 counts the
-- clocks of a month whose deadline has passed, which depends on the moment of asking).
CREATE TABLE metric_clocks (
    case_id BLOB PRIMARY KEY,
    month BIGINT NOT NULL,
    unit TEXT NOT NULL,
    due BIGINT NOT NULL
) WITHOUT ROWID;
CREATE INDEX metric_clocks_month ON metric_clocks (month, due);
