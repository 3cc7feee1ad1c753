-- Which chat an applied update belonged to, and its number: an update older than one
-- already applied for the same chat arrived out of order and is not applied over it.
ALTER TABLE processed_updates ADD COLUMN chat_id TEXT;
ALTER TABLE processed_updates ADD COLUMN seq INTEGER;
CREATE INDEX processed_updates_chat ON processed_updates (channel, chat_id, seq);
