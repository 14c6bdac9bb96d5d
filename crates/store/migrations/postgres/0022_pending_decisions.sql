-- Only decisions waiting for a person are looked up by their review state
-- (the review queue, its total, a chunk's pending reviews). A partial index
-- holds just those; the index over every decision's state cost the daily
-- run an index insert per decision for nothing.
DROP INDEX decisions_review;
CREATE INDEX decisions_pending ON decisions (run_date, id) WHERE review_state = 'pending';
