-- The rows held for a chat outside its window, found by the chat. Every incoming message
-- releases what was held for its chat; without this index that look scanned every unsent
-- row of the channel (an announcement's ten thousand) inside the step's write, and a
-- dialogue's answers slowed while an announcement was going out.
CREATE INDEX outbox_held_by_chat ON outbox (channel, chat_id) WHERE held_at IS NOT NULL;
