-- Issue 18 (a staff member's working day): the 待审批 queue, notifications rendered in the reader's
-- language and grouped into daily digests, disabled units, forced password changes, and finding a
-- caller by the last digits of their phone.

-- What a case waits for from its hub besides dispatch: 'extension' while an extension request
-- waits for the dispatcher's decision (the 待审批 queue). NULL otherwise.
ALTER TABLE cases ADD COLUMN pending TEXT;
CREATE INDEX cases_pending ON cases (hub, pending) WHERE pending IS NOT NULL;

-- Phones are kept in the column as digits (and a leading '+') so that a number typed with or
-- without its dashes and spaces finds the same cases; the case document keeps it as written.
UPDATE cases SET reporter_phone = replace(replace(reporter_phone, '-', ''), ' ', '')
    WHERE reporter_phone LIKE '%-%' OR reporter_phone LIKE '% %';
-- The last four digits of the caller's phone: a caller often gives only the 尾号.
CREATE INDEX cases_phone_tail ON cases ((right(reporter_phone, 4)), reported_at);

-- A notification's kind and parameters (JSON), from which its text is written in the reader's
-- language; title/body keep the Chinese text for rows from before and for webhooks.
ALTER TABLE notifications ADD COLUMN data TEXT;
-- Deadline warnings of one unit and day are one digest per user, updated as warnings come in.
ALTER TABLE notifications ADD COLUMN digest_key TEXT;
CREATE UNIQUE INDEX notifications_digest ON notifications (user_id, digest_key) WHERE digest_key IS NOT NULL;

ALTER TABLE units ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- Open cases with a running clock (closed ones have no due instant): what 超期 counts, now for the
-- hub's 回访 clock as well as the units' 签收/办理 clocks (the cockpit's overdue list).
CREATE INDEX cases_running_due ON cases (due_at, status) WHERE due_at IS NOT NULL;
