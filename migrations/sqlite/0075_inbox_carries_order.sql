-- The inbox alone keeps a chat's updates once and in order, so a step no longer records its
-- update a second time in processed_updates (which the engine's direct path, without the
-- inbox, still uses). `seq` is a numeric update id (Telegram's are in the order Telegram
-- received them): an event claimed after a later one of its chat was applied is late, and
-- skipped. Repeats need nothing new: UNIQUE (channel, update_id) keeps them out at recording.
ALTER TABLE inbox ADD COLUMN seq INTEGER;
UPDATE inbox SET seq = CAST(update_id AS INTEGER)
    WHERE update_id <> '' AND update_id NOT GLOB '*[^0-9]*' AND length(update_id) <= 18;
CREATE INDEX inbox_chat_done ON inbox (channel, chat_id, seq) WHERE state = 'done';
