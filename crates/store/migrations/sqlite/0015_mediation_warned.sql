-- Issue 20: the deadline warnings a mediation has had (司法确认 window, performance), comma-separated.
-- Written only by the deadline sweep, compare-and-set on its old value, so a warning is sent once
-- across replicas and never bumps the record's version (a mediator's open form does not conflict
-- with a reminder).
ALTER TABLE mediations ADD COLUMN warned TEXT NOT NULL DEFAULT '';
