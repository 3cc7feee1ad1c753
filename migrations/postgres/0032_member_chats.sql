-- The chats that proved they are a member's phone (shared their own contact, then showed,
-- hid or asked to leave): erasure of that phone forgets these chats too (their sessions,
-- messages, and their name in the audit log). Deleted with the person.
CREATE TABLE member_chats (
    phone   TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    chat_id TEXT COLLATE "C" NOT NULL,
    seen_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (phone, channel, chat_id)
);
