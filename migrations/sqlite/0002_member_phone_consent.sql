-- Decree 13/2023/NĐ-CP: a member's phone number is shown to residents only with consent.
-- NULL until consent is recorded; withdrawing consent sets it back to NULL.
ALTER TABLE members ADD COLUMN phone_consent_at TEXT;
-- who recorded it: 'head' (the village head confirmed at registration) or 'member' (the
-- member confirmed in chat with their own contact)
ALTER TABLE members ADD COLUMN phone_consent_by TEXT;
