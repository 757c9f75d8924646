-- Issue 21: visit campaigns (走访). A campaign with its units' targets; the registry of households
-- and enterprises per community; each visit (who, when, which household or enterprise, what was
-- found) with the cases its problems became (source `visit`).
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,       -- YYYY-MM-DD
    ends_on TEXT NOT NULL,
    doc TEXT NOT NULL,             -- JSON: description, units [{unit, households, enterprises}]
    created_at BIGINT NOT NULL
);
CREATE TABLE visit_subjects (
    id TEXT PRIMARY KEY,
    community TEXT NOT NULL,       -- the community's region code
    kind TEXT NOT NULL,            -- household | enterprise
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    doc TEXT NOT NULL,             -- JSON: contact, size, notes
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX visit_subjects_key ON visit_subjects (community, kind, name, address);
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    unit TEXT NOT NULL,            -- the visiting cadre's unit
    subject_id TEXT NOT NULL,
    kind TEXT NOT NULL,            -- the subject's kind, kept for the summary
    visited_at BIGINT NOT NULL,
    doc TEXT NOT NULL,             -- JSON: visitor, found, problems [{case_id, number, title}]
    created_at BIGINT NOT NULL
);
CREATE INDEX visits_campaign ON visits (campaign_id, unit);
CREATE INDEX visits_subject ON visits (subject_id);
