-- The sender reads a channel's unsent rows lane by lane: the reply lane first, however many
-- bulk rows (an announcement to ten thousand members) wait before them, then as many bulk
-- rows as it has room for. Only unsent rows are indexed: the outbox keeps sent rows for a
-- while, and a read must not step over them.
CREATE INDEX outbox_unsent_by_lane ON outbox (channel, lane, id)
    WHERE sent_at IS NULL AND failed_at IS NULL AND held_at IS NULL;
