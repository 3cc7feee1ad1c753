-- Messages a channel refuses for now (Zalo: outside the window after the user's last
-- message, not following the OA, night hours): kept unsent with the reason, and sent when
-- the chat writes again (which reopens the window).
ALTER TABLE outbox ADD COLUMN held_at TEXT;
ALTER TABLE outbox ADD COLUMN held_reason TEXT;

-- The buttons a chat was last shown on a channel that cannot always press them (numbered
-- options on Zalo): a typed number or label is read against them.
CREATE TABLE chat_choices (
    channel    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    choices    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- When each chat last wrote: a channel's window is counted from it, and an alert goes to
-- the chat of a person that can still be reached (most recently active first).
CREATE TABLE chat_activity (
    channel      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);
