-- cnscd schema, version 1. Forward-only: never edit this file once landed; add a new one.
-- Timestamps are UTC RFC 3339 text, dates are ISO yyyy-mm-dd text, so the same SQL
-- reads naturally on PostgreSQL, where the columns become TIMESTAMPTZ / DATE.

-- The place tree: province → district → commune → village, or any other depth.
-- `level` is what the code reasons about; `kind` is the official Vietnamese word (xã, phường, thôn…).
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    parent_code TEXT REFERENCES units (code),
    -- lower-case, diacritics removed, prefix words kept: what searches compare against
    name_folded TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_code);
CREATE INDEX units_name_folded ON units (name_folded);

-- One team per unit. A team is a draft until the village head confirms it.
CREATE TABLE teams (
    id                   INTEGER PRIMARY KEY,
    unit_code            TEXT NOT NULL UNIQUE REFERENCES units (code),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'registered')),
    leader_name          TEXT,
    leader_phone         TEXT,
    decision_number      TEXT,
    decision_date        TEXT,
    decision_file_id     TEXT,
    decision_file_kind   TEXT,
    decision_file_sha256 TEXT,
    -- the registration dialogue's unfinished data (JSON), so a cancelled registration resumes
    draft_json           TEXT,
    -- optimistic concurrency: every write bumps it
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    registered_at        TEXT
);

CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    full_name   TEXT NOT NULL,
    role        TEXT NOT NULL,
    role_detail TEXT,
    phone       TEXT NOT NULL,
    workplace   TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (team_id, phone),
    UNIQUE (team_id, position)
);

-- Who a chat is: bound by redeeming an invitation.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    unit_code   TEXT NOT NULL REFERENCES units (code),
    created_at  TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

-- One-time invitation codes. Only a SHA-256 of the code is kept, so a database leak grants nothing.
CREATE TABLE invitations (
    code_sha256         TEXT PRIMARY KEY,
    role                TEXT NOT NULL,
    unit_code           TEXT NOT NULL REFERENCES units (code),
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    used_at             TEXT,
    used_by_channel     TEXT,
    used_by_external_id TEXT
);

-- Per-chat dialogue state, written in the same transaction as the step that produced it,
-- so a restart resumes exactly where the chat was.
CREATE TABLE dialogue_states (
    channel    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    session    TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- Update ids already applied: a redelivered update is acknowledged and ignored.
CREATE TABLE processed_updates (
    channel      TEXT NOT NULL,
    update_id    TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
);

-- Who changed what, when. Personal data stays out of `detail`: ids and codes only.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    unit_code   TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_unit ON audit_log (unit_code, at);
