-- Which lane an outbox row travels in: 'reply' (answers, notices, alerts: as before) or
-- 'bulk' (an announcement to many chats). The sender paces bulk rows at the rate a channel
-- allows, keeps room in flight for replies, and lets a reply overtake the bulk rows still
-- queued for the same chat, so an announcement to ten thousand members never delays a
-- dialogue.
ALTER TABLE outbox ADD COLUMN lane TEXT COLLATE "C" NOT NULL DEFAULT 'reply' CHECK (lane IN ('reply', 'bulk'));
