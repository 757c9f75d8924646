-- Compact storage, second step (issue 7): the same changes as the SQLite migration of this number.
--
-- * Case and event ids become `uuid` (16 bytes) instead of text.
-- * An event row is its key (case, instant, id) and one packed body (store::packed, tag 3).
-- * The search vector keeps no positions (strip: every query is an AND of whole tokens).
-- * The events(at) index is gone (the unit metrics have their own counters).
-- * Mostly-NULL columns are indexed only where they are set.
--
-- The events are renamed to events_v1 and moved by the store on first start (store::upgrade),
-- because their bodies are compressed in Rust.

DROP INDEX IF EXISTS events_at;
DROP INDEX IF EXISTS cases_due;
DROP INDEX IF EXISTS cases_next_alert;
DROP INDEX IF EXISTS cases_merged_into;

ALTER TABLE events RENAME TO events_v1;
ALTER TABLE events_v1 RENAME CONSTRAINT events_pkey TO events_v1_pkey;

ALTER TABLE cases ALTER COLUMN id TYPE uuid USING id::uuid;
ALTER TABLE cases ALTER COLUMN created_by TYPE uuid USING created_by::uuid;
ALTER TABLE cases ALTER COLUMN merged_into TYPE uuid USING merged_into::uuid;
ALTER TABLE case_units ALTER COLUMN case_id TYPE uuid USING case_id::uuid;
ALTER TABLE case_search ALTER COLUMN case_id TYPE uuid USING case_id::uuid;
UPDATE case_search SET tsv = strip(tsv);
ALTER TABLE case_alerts ALTER COLUMN case_id TYPE uuid USING case_id::uuid;
ALTER TABLE notifications ALTER COLUMN case_id TYPE uuid USING case_id::uuid;

CREATE INDEX cases_due ON cases (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX cases_next_alert ON cases (next_alert_at) WHERE next_alert_at IS NOT NULL;
CREATE INDEX cases_merged_into ON cases (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE events (
    case_id uuid NOT NULL,
    at BIGINT NOT NULL,
    id uuid NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (case_id, at, id)
);

-- Unit metrics (app::metrics): marks per case and month, their sums per month, unit and metric,
-- and the running handling clocks filed under the month of their deadline.
CREATE TABLE metric_marks (
    month BIGINT NOT NULL,
    case_id uuid NOT NULL,
    marks TEXT NOT NULL,
    PRIMARY KEY (month, case_id)
);
CREATE TABLE metric_counts (
    month BIGINT NOT NULL,
    unit TEXT NOT NULL,
    metric TEXT NOT NULL,
    n BIGINT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (month, unit, metric)
);
CREATE TABLE metric_clocks (
    case_id uuid PRIMARY KEY,
    month BIGINT NOT NULL,
    unit TEXT NOT NULL,
    due BIGINT NOT NULL
);
CREATE INDEX metric_clocks_month ON metric_clocks (month, due);
