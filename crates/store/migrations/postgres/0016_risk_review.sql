-- Issue 20: an alert's review cadence (复核周期). reviewed_at: the last step a supervisor took on it
-- (NULL: none yet, due from its creation); review_reminded: the review deadline last reminded of,
-- set compare-and-set by the deadline sweep so one reminder goes out per missed review.
ALTER TABLE risk_alerts ADD COLUMN reviewed_at BIGINT;
ALTER TABLE risk_alerts ADD COLUMN review_reminded BIGINT;
