-- Decree 13/2023: the leader's phone number is shown to residents only with consent, like a
-- member's. NULL until consent is recorded (teams registered before this stay hidden until
-- the leader agrees); 'head' when given at the registration question. The leader's own word
-- (shared contact → show / hide) is in phone_consents, as for members.
ALTER TABLE teams ADD COLUMN leader_phone_consent_at TEXT;
ALTER TABLE teams ADD COLUMN leader_phone_consent_by TEXT;
