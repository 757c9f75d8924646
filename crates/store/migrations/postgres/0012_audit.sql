-- Issue 19.15 (个人信息保护法): the audit log of staff reads of citizens' personal data and of
-- exports. Append-only: the database itself refuses to change, delete or truncate an entry, so
-- neither a bug nor a user of the application's database account can rewrite the log.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,            -- UUID v7: ordered by time
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor TEXT NOT NULL,            -- username at the time
    actor_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit TEXT NOT NULL,
    action TEXT NOT NULL,
    subjects TEXT NOT NULL,         -- case numbers, each followed by a space (' 2026-000001 ')
    subject_count BIGINT NOT NULL,
    detail TEXT NOT NULL,
    client TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: entries cannot be changed or deleted';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
