-- Issue 23: files on cases. The bytes are in the file store (a directory beside the SQLite file,
-- or S3-compatible object storage), content-addressed by SHA-256; a row is written only after its
-- bytes are durable, so no row ever refers to a missing file.
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    kind TEXT NOT NULL,            -- image | document
    step TEXT NOT NULL,            -- intake | resolve | return | follow_up | extension | mediation | report | other
    source TEXT NOT NULL,          -- citizen | staff
    public BOOLEAN NOT NULL,
    file_key TEXT NOT NULL,
    thumb_key TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    uploaded_by TEXT,
    uploaded_by_name TEXT,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_case ON attachments (case_id, uploaded_at);
CREATE INDEX attachments_file ON attachments (file_key);
CREATE INDEX attachments_thumb ON attachments (thumb_key);
