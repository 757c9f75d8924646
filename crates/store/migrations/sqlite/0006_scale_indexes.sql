-- Indexes that keep reads flat as history grows (issue 7, measured at 1M cases):
-- the unit metrics of a month start from the events of that month (a full scan of the timeline without this);
CREATE INDEX events_at ON events (at);
-- the cockpit's overdue list reads only open cases, from this small partial index that covers the query.
CREATE INDEX cases_open_due ON cases (status, reported_at, due_at, unit) WHERE status IN ('dispatched', 'in_progress');
-- Queue pages list one status newest first: with the id in the index the order is the index order
-- (PostgreSQL otherwise sorts every case of that status, doc and all, for each page).
CREATE INDEX cases_status_order ON cases (status, reported_at, id);
DROP INDEX cases_status;
