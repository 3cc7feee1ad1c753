-- Issue 20: roles and numbers that cannot be taken.

-- Revoking an account ends the unused invitations it made (an invitation never outlives its
-- maker's account).
ALTER TABLE invitations ADD COLUMN revoked_at TEXT;

-- `/lienket`: the chat holding the role shows the code, another chat types it (and is kept
-- here), and the two are linked only when the chat holding the role confirms.
ALTER TABLE link_codes ADD COLUMN claimed_channel TEXT;
ALTER TABLE link_codes ADD COLUMN claimed_chat_id TEXT;

-- A number given in a form that does not prove it (Zalo's share-info form) counts as the
-- chat's own only once the head of a team listing it confirmed it, by typing the code the
-- chat was shown: the pending codes (hashed, single use), then the chats proven so.
CREATE TABLE number_proofs (
    code_sha256 TEXT PRIMARY KEY,
    phone       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE TABLE proven_chats (
    phone     TEXT NOT NULL,
    channel   TEXT NOT NULL,
    chat_id   TEXT NOT NULL,
    proven_by TEXT NOT NULL,
    proven_at TEXT NOT NULL,
    PRIMARY KEY (phone, channel, chat_id)
);

-- A linked chat held a copy of the role without its expiry: every chat of a person now ends
-- when the earliest of them does.
UPDATE accounts SET expires_at = (
    SELECT MIN(o.expires_at) FROM chat_people me
    JOIN chat_people p ON p.person = me.person
    JOIN accounts o ON o.channel = p.channel AND o.external_id = p.chat_id
    WHERE me.channel = accounts.channel AND me.chat_id = accounts.external_id
)
WHERE EXISTS (
    SELECT 1 FROM chat_people me
    JOIN chat_people p ON p.person = me.person
    JOIN accounts o ON o.channel = p.channel AND o.external_id = p.chat_id
    WHERE me.channel = accounts.channel AND me.chat_id = accounts.external_id
      AND o.expires_at IS NOT NULL
);
