-- The routing catalogue (派单目录): category × region → main unit, with the street of the address
-- as co-unit (属地协办) when `co_street` is set. An empty region matches everywhere; a longer
-- region prefix wins.
CREATE TABLE catalogue (
    category TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL,
    co_street BOOLEAN NOT NULL DEFAULT TRUE,
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (category, region)
);

-- Copies of the clock fields, for rates and dashboards computed in SQL.
ALTER TABLE cases ADD COLUMN sign_due BIGINT;
ALTER TABLE cases ADD COLUMN signed_at BIGINT;
ALTER TABLE cases ADD COLUMN handle_due BIGINT;
ALTER TABLE cases ADD COLUMN resolved_at BIGINT;
ALTER TABLE cases ADD COLUMN closed_at BIGINT;
ALTER TABLE cases ADD COLUMN satisfaction TEXT;
ALTER TABLE cases ADD COLUMN merged_into TEXT;
CREATE INDEX cases_merged_into ON cases (merged_into);
CREATE INDEX cases_unit ON cases (unit, status);
