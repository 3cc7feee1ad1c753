-- The Zalo Official Account's OAuth tokens: one row (id 1), made here so every change is an
-- UPDATE. The refresh token is single-use, so the pair is replaced together, and only by the
-- replica holding the refresh lease (`lease_owner` until `lease_until`). `paused_reason` is
-- set when Zalo refused a refresh: Zalo sending waits (nothing is dropped) until an operator
-- runs `cnscd zalo token set`; NULL while sending may go on. Times are RFC 3339 UTC text.
CREATE TABLE zalo_tokens (
    id                 BIGINT PRIMARY KEY CHECK (id = 1),
    access_token       TEXT COLLATE "C",
    access_expires_at  TEXT COLLATE "C",
    refresh_token      TEXT COLLATE "C",
    refresh_expires_at TEXT COLLATE "C",
    issued_at          TEXT COLLATE "C",
    lease_owner        TEXT COLLATE "C",
    lease_until        TEXT COLLATE "C",
    paused_reason      TEXT COLLATE "C",
    paused_at          TEXT COLLATE "C"
);
INSERT INTO zalo_tokens (id) VALUES (1);
