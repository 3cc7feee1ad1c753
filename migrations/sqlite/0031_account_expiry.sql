-- Accounts end: an optional expiry per account (an official's term), set from the
-- invitation that created it (`cnscd invite --account-days N`). Expired accounts act as
-- residents and are deleted by the next purge.
ALTER TABLE accounts ADD COLUMN expires_at TEXT;
ALTER TABLE invitations ADD COLUMN account_days INTEGER;
