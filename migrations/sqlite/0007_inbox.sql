-- The inbox: every incoming event of every channel, recorded before the channel is told it
-- was received (the offset of `getUpdates`, the 200 of a webhook). The engine applies the
-- events of a chat in `id` order, once; one that keeps failing is parked with its error for
-- an operator to replay. `owner` is the replica that recorded it and works on it first.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    update_id   TEXT,
    body        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    received_at TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT,
    error       TEXT,
    done_at     TEXT,
    UNIQUE (channel, update_id)
);
CREATE INDEX inbox_state ON inbox (state, id);
CREATE INDEX inbox_done ON inbox (done_at);

-- Replies are outbox rows too, written in the step's transaction and sent by the replica
-- that wrote them (`owner`); another replica takes them over when the claim is stale. A
-- message that could not be sent yet waits until `not_before`.
ALTER TABLE outbox ADD COLUMN owner TEXT;
ALTER TABLE outbox ADD COLUMN not_before TEXT;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_sent ON outbox (sent_at);
