-- Issue 22: 一件事 bundles. Templates are admin data (the catalogue by life stage); an application
-- keeps the template as it was at submission, its form, materials, tasks with their clocks and its
-- events in one document; its tasks are also rows so a department finds its own.
CREATE TABLE bundle_templates (
    code TEXT PRIMARY KEY,
    doc TEXT NOT NULL,             -- JSON: the template (bundles::Template)
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);
CREATE TABLE bundles (
    id TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    status TEXT NOT NULL,          -- in_progress | correction | completed | partly_completed | refused
    channel TEXT NOT NULL,         -- window | portal
    submitted_at BIGINT NOT NULL,
    finished_at BIGINT,
    created_by TEXT,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX bundles_submitted ON bundles (submitted_at);
CREATE INDEX bundles_created_by ON bundles (created_by, submitted_at);
CREATE TABLE bundle_tasks (
    bundle_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    status TEXT NOT NULL,          -- waiting | pending | accepted | correction | approved | refused | cancelled
    PRIMARY KEY (bundle_id, task_id)
);
CREATE INDEX bundle_tasks_unit ON bundle_tasks (unit, status);
