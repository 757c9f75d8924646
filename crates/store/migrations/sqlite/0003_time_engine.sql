-- Settings stored as text (the time-limit policy as JSON under 'policy').
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Working-day calendars imported by admins: one row per calendar and year, in the text format of
-- the calendar crate.
CREATE TABLE calendars (
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (name, year)
);

-- Regions that keep their own calendar.
CREATE TABLE calendar_regions (
    region TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- Scheduled background jobs. A row is claimed by setting locked_by/locked_until in one UPDATE, so
-- across replicas exactly one process runs a job at a time; an expired lock is taken over.
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    interval_ms BIGINT NOT NULL,
    next_run_at BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_run_at BIGINT,
    last_error TEXT
);

-- Each warning or automatic escalation of a clock happens once: this key is unique.
CREATE TABLE case_alerts (
    case_id TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, alert_key)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    case_id TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);

-- Outgoing webhooks per unit, and their delivery queue with retries.
CREATE TABLE unit_webhooks (
    unit TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    url TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    failed BOOLEAN NOT NULL DEFAULT FALSE,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, failed, next_attempt_at);

-- The next instant a warning or escalation may fire for the case's running clock (NULL: none).
ALTER TABLE cases ADD COLUMN next_alert_at BIGINT;
CREATE INDEX cases_next_alert ON cases (next_alert_at);
