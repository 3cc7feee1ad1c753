-- One person, several chats: a chat typed, in another chat, the one-time code this one
-- showed, and both now belong to one person (an official on Telegram and on Zalo). Alerts
-- go to the chat of a person that can be reached; the linked chat holds the same role.
CREATE TABLE chat_people (
    channel   TEXT NOT NULL,
    chat_id   TEXT NOT NULL,
    person    TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);
CREATE INDEX chat_people_person ON chat_people (person);

-- Codes shown by `/lienket`: kept hashed, single use, valid for minutes.
CREATE TABLE link_codes (
    code_sha256 TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
