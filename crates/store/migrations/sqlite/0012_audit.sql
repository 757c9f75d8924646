-- Issue 19.15 (个人信息保护法): the audit log of staff reads of citizens' personal data and of
-- exports. Append-only: the database itself refuses to change or delete an entry.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,            -- UUID v7: ordered by time
    at INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    actor TEXT NOT NULL,            -- username at the time
    actor_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT NOT NULL,
    action TEXT NOT NULL,
    subjects TEXT NOT NULL,         -- case numbers, each between spaces (' 2026-000001 ')
    subject_count INTEGER NOT NULL,
    detail TEXT NOT NULL,
    client TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed or deleted');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed or deleted');
END;
