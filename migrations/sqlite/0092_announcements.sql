-- Announcements: an official (or the operator, from `cnscd announce`) sends a text, with an
-- optional photo or file, to the team members of an area; each person gets it once, in the
-- bulk lane of the outbox, with a "Got it" button.
CREATE TABLE announcements (
    id               INTEGER PRIMARY KEY,
    -- the sender's chat as channel:id ('cli' for the operator)
    sender           TEXT NOT NULL,
    -- the area: a province, district or commune code
    scope_code       TEXT NOT NULL REFERENCES units (code),
    audience         TEXT NOT NULL CHECK (audience IN ('all', 'leaders', 'behind')),
    text             TEXT NOT NULL,
    -- an optional photo or document, its bytes kept here (base64) so a restart loses nothing
    -- and a reminder can send it again
    attachment_kind  TEXT CHECK (attachment_kind IN ('photo', 'document')),
    attachment_name  TEXT,
    attachment_data  TEXT,
    created_at       TEXT NOT NULL,
    last_reminded_at TEXT,
    -- the update that sent it, so the same update delivered twice sends once
    dedup_key        TEXT UNIQUE
);
CREATE INDEX announcements_sender ON announcements (sender, id);

-- Who an announcement went to: one row per person (a person in two teams once). The
-- delivery of a reachable one (sent, held outside Zalo's window, failed) is its outbox row's.
CREATE TABLE announcement_recipients (
    announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    phone           TEXT NOT NULL,
    name            TEXT NOT NULL,
    unit_code       TEXT NOT NULL,
    is_leader       INTEGER NOT NULL,
    -- the chat it went to (the most recently seen one), NULL when none is known
    channel         TEXT,
    chat_id         TEXT,
    outbox_id       INTEGER,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'unreachable')),
    -- why it could not be queued: 'no_chat' (never shared their number with the bot),
    -- 'blocked' (the chat blocked the bot)
    reason          TEXT CHECK (reason IN ('no_chat', 'blocked', 'zalo_window', 'failed')),
    acknowledged_at TEXT,
    reminded_at     TEXT,
    PRIMARY KEY (announcement_id, phone)
);
CREATE INDEX announcement_recipients_chat ON announcement_recipients (channel, chat_id);
