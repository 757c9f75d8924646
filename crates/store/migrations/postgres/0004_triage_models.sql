-- Triage models: the built-in one and those retrained on the district's closed cases. Exactly one
-- is active; rolling back is activating an earlier version.
CREATE TABLE triage_models (
    version TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    examples BIGINT NOT NULL,
    metrics TEXT NOT NULL,
    body TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT FALSE
);
