-- Compact storage for large histories (issue 7).
--
-- The timeline is read by case (a case's detail, a month's metrics) and never by event id alone,
-- so it is stored clustered by (case_id, at, id): one B-tree instead of a rowid table plus an index
-- on id plus an index on (case_id, at, id), and a case's timeline sits together on one page.
-- Event ids stay unique by construction (UUIDv7).
CREATE TABLE events_by_case (
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    actor_name TEXT NOT NULL,
    unit TEXT,
    action TEXT NOT NULL,
    opinion TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, at, id)
) WITHOUT ROWID;
INSERT INTO events_by_case (id, case_id, at, actor, actor_name, unit, action, opinion, data)
    SELECT id, case_id, at, actor, actor_name, unit, action, opinion, data FROM events;
DROP TABLE events;
ALTER TABLE events_by_case RENAME TO events;
CREATE INDEX events_at ON events (at);

-- Case documents and event data are now written zstd-compressed (store::packed); the columns keep
-- their declared type and older rows, plain JSON text, are read as they are.
