-- Issue 21: 红黄黑榜. One row per period and version: a draft is recomputed until it is published;
-- a published board never changes (the triggers below refuse it) — a correction is a new version
-- with its reason. Appeals (申诉) of units against a draft, decided by the board office.
CREATE TABLE boards (
    period TEXT NOT NULL,          -- YYYY-MM
    version BIGINT NOT NULL,       -- 1, 2, … (a correction of a published board is the next)
    status TEXT NOT NULL,          -- draft | published
    doc TEXT NOT NULL,             -- JSON: the groups with their entries, and the rules used
    computed_at BIGINT NOT NULL,
    appeal_due BIGINT NOT NULL,    -- units may appeal the draft until then
    published_at BIGINT,
    published_by TEXT,
    reason TEXT,                   -- why a correction was published
    PRIMARY KEY (period, version)
);
CREATE TRIGGER boards_published_no_update BEFORE UPDATE ON boards
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published board never changes: publish a corrected version instead');
END;
CREATE TRIGGER boards_published_no_delete BEFORE DELETE ON boards
WHEN OLD.status = 'published'
BEGIN
    SELECT RAISE(ABORT, 'a published board never changes: publish a corrected version instead');
END;

CREATE TABLE board_appeals (
    id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,          -- pending | accepted | rejected
    note TEXT,                     -- the board office's answer
    created_by TEXT,
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by_name TEXT,
    decided_at BIGINT
);
CREATE INDEX board_appeals_period ON board_appeals (period, unit);
