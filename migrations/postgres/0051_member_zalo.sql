-- A member's Zalo number, when it is not their mobile number (E.164, as `phone`); asked
-- from the review's "change" menu. Residents on Zalo can reach the member there.
ALTER TABLE members ADD COLUMN zalo_phone TEXT;
