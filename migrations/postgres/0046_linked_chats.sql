-- One person, several chats: a chat typed, in another chat, the one-time code this one
-- showed, and both now belong to one person (an official on Telegram and on Zalo). Alerts
-- go to the chat of a person that can be reached; the linked chat holds the same role.
CREATE TABLE chat_people (
    channel   TEXT COLLATE "C" NOT NULL,
    chat_id   TEXT COLLATE "C" NOT NULL,
    person    TEXT COLLATE "C" NOT NULL,
    linked_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (channel, chat_id)
);
CREATE INDEX chat_people_person ON chat_people (person);

-- Codes shown by `/lienket`: kept hashed, single use, valid for minutes.
CREATE TABLE link_codes (
    code_sha256 TEXT COLLATE "C" PRIMARY KEY,
    channel     TEXT COLLATE "C" NOT NULL,
    chat_id     TEXT COLLATE "C" NOT NULL,
    expires_at  TEXT COLLATE "C" NOT NULL,
    used_at     TEXT COLLATE "C"
);
