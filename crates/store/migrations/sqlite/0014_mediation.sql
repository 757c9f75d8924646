-- Issue 20: 人民调解 — a dispute's mediation from application to agreement (and 司法确认) or to its
-- transfer elsewhere. The record is one row with its parts as JSON (parties, mediators, sessions,
-- agreement, judicial confirmation, follow-up), versioned like a case; every step is an event.
CREATE TABLE mediations (
    id TEXT PRIMARY KEY,
    case_id TEXT,
    alert_id TEXT,
    org_unit TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,              -- JSON: parties, mediators, sessions, agreement, judicial, route, follow-up
    judicial_due BIGINT,            -- 司法确认 may be applied for until then (agreement + 30 days)
    performance_due BIGINT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mediations_case ON mediations (case_id);
CREATE INDEX mediations_status ON mediations (status, updated_at);

CREATE TABLE mediation_events (
    id TEXT PRIMARY KEY,
    mediation_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    data TEXT
);
CREATE INDEX mediation_events_of ON mediation_events (mediation_id, at);
