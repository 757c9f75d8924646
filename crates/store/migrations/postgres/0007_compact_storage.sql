-- Compact storage for large histories (issue 7).
--
-- The timeline is read by case and never by event id alone: its primary key becomes
-- (case_id, at, id), replacing both the index on id and the separate (case_id, at, id) index.
-- Event ids stay unique by construction (UUIDv7).
ALTER TABLE events DROP CONSTRAINT events_pkey;
DROP INDEX events_case;
ALTER TABLE events ADD PRIMARY KEY (case_id, at, id);

-- Case documents and event data are written zstd-compressed (store::packed): bytes, not text.
-- Older rows, plain JSON, keep their bytes and are read as they are.
ALTER TABLE cases ALTER COLUMN doc TYPE BYTEA USING convert_to(doc, 'UTF8');
ALTER TABLE events ALTER COLUMN data TYPE BYTEA USING convert_to(data, 'UTF8');
