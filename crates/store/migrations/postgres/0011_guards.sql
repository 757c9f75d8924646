-- Rate limits (issue 19): one row per bucket with the hits of its current fixed window, shared by
-- every replica. Buckets name a kind and a hashed key (client address, case number, phone,
-- username), never the personal data itself. Rows of windows long past are purged.
CREATE TABLE rate_limits (
    bucket TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- Browsers that signed in as a user (the HttpOnly device cookie, stored as its SHA-256): the right
-- password from one of them passes a lock of the username that others caused.
CREATE TABLE login_devices (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX login_devices_created ON login_devices (created_at);

-- Failed sign-ins are counted in rate_limits now (per username, per client address, per device).
DROP TABLE login_failures;
