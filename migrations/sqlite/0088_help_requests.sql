-- A resident's request for help, as a ticket with an owner. The resident picks a need (an
-- activity kind code), may describe it, and is reached in the chat they asked from or, with
-- their consent for this request only, by a phone number. The team's reachable members are
-- offered it; the first to take it owns it, and closes it as solved (an activity of the
-- team's work, counted automatically), not solved, or abuse. Not taken in time it is
-- reminded, then escalated to the head, then to the commune's officials; taken and not
-- closed, the owner is reminded, then it returns to the team. The resident rates a closed
-- request once and may reopen it for a few days. What names the resident (chat, phone,
-- description) is blanked once the request is closed and its retention has passed
-- (`purged_at`); the counts, times and rating stay.
CREATE TABLE help_requests (
    id               INTEGER PRIMARY KEY,
    -- the village whose team is asked
    unit_code        TEXT NOT NULL REFERENCES units (code),
    -- an activity kind code of the rules file's [activity] section
    need             TEXT NOT NULL,
    description      TEXT,
    -- the resident's chat (channel and id) and language; NULL once purged
    resident_channel TEXT,
    resident_chat    TEXT,
    resident_lang    TEXT NOT NULL DEFAULT 'vi',
    -- a number the resident agreed to share with the team for this request only
    resident_phone   TEXT,
    status           TEXT NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'taken', 'solved', 'unsolved', 'abuse')),
    -- who is asked now: the team, then its head, then the commune's officials
    stage            TEXT NOT NULL DEFAULT 'team'
                     CHECK (stage IN ('team', 'head', 'commune')),
    -- the owner: the member's (or head's, or official's) chat, listed number and name
    owner_channel    TEXT,
    owner_chat       TEXT,
    owner_phone      TEXT,
    owner_name       TEXT,
    -- whether the owner agreed to show their number to the resident
    owner_phone_shown INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    taken_at         TEXT,
    closed_at        TEXT,
    -- the last follow-up (a reminder, an escalation, a return to the team) and how many
    last_followup_at TEXT,
    followups        INTEGER NOT NULL DEFAULT 0,
    returned         INTEGER NOT NULL DEFAULT 0,
    reopened         INTEGER NOT NULL DEFAULT 0,
    rating           INTEGER CHECK (rating BETWEEN 1 AND 5),
    rated_at         TEXT,
    -- the activity a solved request counted as
    activity_id      INTEGER REFERENCES activities (id),
    -- the chat update that made it, so the same update delivered twice asks once
    dedup_key        TEXT UNIQUE,
    purged_at        TEXT,
    -- optimistic concurrency: every write bumps it ("Tôi nhận" pressed by two members)
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX help_requests_unit ON help_requests (unit_code, created_at);
CREATE INDEX help_requests_status ON help_requests (status, stage);
CREATE INDEX help_requests_resident ON help_requests (resident_channel, resident_chat, created_at);

-- Who was offered a request, so the others can be told it is taken and escalations know
-- whom they reached; the outbox row of the offer, for its delivery.
CREATE TABLE help_request_offers (
    request_id  INTEGER NOT NULL REFERENCES help_requests (id),
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('team', 'head', 'commune')),
    offered_at  TEXT NOT NULL,
    PRIMARY KEY (request_id, channel, chat_id)
);
