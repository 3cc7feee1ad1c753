-- Deadline campaigns: "found the teams of district 298 by 25/04/2022".
CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    scope_code  TEXT NOT NULL REFERENCES units (code),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Every alert sent, by slot ("D-7", "D+2"…): the unique key makes each alert go exactly once,
-- across restarts and replicas.
CREATE TABLE alerts_sent (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    slot        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, channel, chat_id, slot)
);

-- Commune officials may turn off the notice sent when a village team is submitted or changed.
ALTER TABLE accounts ADD COLUMN change_notices INTEGER NOT NULL DEFAULT 1;
