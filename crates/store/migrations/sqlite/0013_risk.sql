-- Issue 20: risk alerts (矛盾风险预警) — signals the scan finds across cases (repeat callers,
-- clusters about one object, high-risk language) and the steps supervisors take on them.
CREATE TABLE risk_alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    case_ids TEXT NOT NULL,       -- JSON array of case ids
    phone TEXT,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,       -- JSON
    region TEXT NOT NULL,
    owner_unit TEXT,
    level_by_hand BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    result TEXT
);
-- One alert per key until it is closed: a later scan updates it instead of making another.
CREATE UNIQUE INDEX risk_alerts_open_key ON risk_alerts (alert_key) WHERE status <> 'closed';
CREATE INDEX risk_alerts_status ON risk_alerts (status, updated_at);

CREATE TABLE risk_events (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    data TEXT
);
CREATE INDEX risk_events_alert ON risk_events (alert_id, at);
