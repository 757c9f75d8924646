-- Issue 22: 工程建设项目审批. A project keeps its process (stages, reviews), each stage's form,
-- the reviews' decisions and pauses (补正, 中介) in one document.
CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL,          -- in_progress | completed | refused
    created_at BIGINT NOT NULL,
    created_by TEXT,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX approvals_created ON approvals (created_at);
