-- Pre-aggregated cockpit counters (domain::tally): every case write moves the case's contribution
-- between rows in the same transaction, so these always equal a recount of the cases.
-- grain: 's' daily series per street, 'd' day, 'm' month (bucket = year * 12 + month - 1).
CREATE TABLE case_tallies (
    grain TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    street TEXT NOT NULL,
    category TEXT NOT NULL,
    unit TEXT NOT NULL,
    closed_month BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    signed BIGINT NOT NULL,
    signed_on_time BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    resolved_on_time BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    PRIMARY KEY (grain, bucket, street, category, unit, closed_month)
);
