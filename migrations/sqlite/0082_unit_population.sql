-- Residents and households of a unit, as the commune or province last counted them, so that
-- reports can show members per 100 residents and households reached. Optional: a unit
-- without figures says so in reports instead of dividing by zero.
ALTER TABLE units ADD COLUMN population INTEGER CHECK (population >= 0);
ALTER TABLE units ADD COLUMN households INTEGER CHECK (households >= 0);
