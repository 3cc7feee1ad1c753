-- When the current wait of an open help request began, if not when it was asked: the moment
-- it returned to the team (its owner did not close it in time) or its resident reopened it.
-- The follow-ups of an open request (remind the team, ask the head, then the commune) are
-- timed from it, so a request returned after three days starts its ladder again instead of
-- going straight to the commune. NULL: the wait began at `created_at`.
ALTER TABLE help_requests ADD COLUMN waiting_since TEXT COLLATE "C";
