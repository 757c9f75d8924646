-- Issue 21: key programs (十大攻坚, 十大民生实事, 整治清单). A program and its items; an item's
-- milestones, approved progress and progress reports (with the office's review) are its document,
-- versioned like a case so that two reviewers never lose each other's step.
CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,            -- key_project | livelihood | rectification
    year BIGINT NOT NULL,
    doc TEXT NOT NULL,             -- JSON: description, the traffic-light rule
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE program_items (
    id TEXT PRIMARY KEY,
    program_id TEXT NOT NULL,
    seq BIGINT NOT NULL,           -- the item's number in its program
    lead_unit TEXT NOT NULL,
    doc TEXT NOT NULL,             -- JSON: name, co-units, start, milestones, progress, reports
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX program_items_of ON program_items (program_id, seq);
CREATE INDEX program_items_lead ON program_items (lead_unit);
