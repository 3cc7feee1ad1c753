-- Messages to chats other than the one being answered (a village head told that a member
-- asked to be removed, alerts…). Written in the same transaction as the change that caused
-- them, delivered afterwards by the channel's worker: nothing is lost in a crash, and the
-- dedup key makes a message that must go once go once.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    body        TEXT NOT NULL,
    dedup_key   TEXT UNIQUE,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    failed_at   TEXT,
    error       TEXT
);
CREATE INDEX outbox_pending ON outbox (channel, sent_at, failed_at, id);

-- A member's own word about publishing their phone number (Decree 13/2023). It overrides
-- the village head's confirmation in both directions, and survives edits of the team.
CREATE TABLE phone_consents (
    phone      TEXT PRIMARY KEY,
    granted    INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- Chats that blocked the bot: skipped by notifications until they write again.
ALTER TABLE accounts ADD COLUMN blocked_at TEXT;
