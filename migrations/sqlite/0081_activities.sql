-- What the teams did after their founding: one row per entry a member or head logs in chat
-- (any channel) or an operator imports from a paper sheet (`cnscd activity import`).
-- Its author may complete an entry in the dialogue that saved it (households, another day,
-- a note); after that an entry is never changed: a correction is a new entry that names the
-- one it corrects, so a period read as of its approval reads the same forever, and an entry
-- recorded after that shows as late. `kind` is a code of the activity kinds
-- file (data/activity_kinds.toml); `done_on` an ISO date; `recorded_at` RFC 3339 UTC.
CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    -- the team's unit (a village, or a commune for the commune's own team)
    unit_code   TEXT NOT NULL REFERENCES units (code),
    kind        TEXT NOT NULL,
    people      INTEGER NOT NULL CHECK (people >= 0),
    households  INTEGER CHECK (households >= 0),
    done_on     TEXT NOT NULL,
    note        TEXT,
    -- who logged it: a member's listed number and name, or NULL (the head's account, an
    -- import); both are erased with the member's other data
    by_phone    TEXT,
    by_name     TEXT,
    -- 'telegram', 'zalo', 'zalo_bot', 'console' or 'import'
    source      TEXT NOT NULL,
    -- the entry this one corrects, if any
    corrects    INTEGER REFERENCES activities (id),
    -- the chat update (or import line) that made it, so the same update delivered twice
    -- logs once
    dedup_key   TEXT UNIQUE,
    recorded_at TEXT NOT NULL
);
CREATE INDEX activities_unit_day ON activities (unit_code, done_on);
CREATE INDEX activities_day ON activities (done_on);
CREATE INDEX activities_by_phone ON activities (by_phone);
