-- Since 1 July 2025 there are no districts: 34 provinces directly above 3,321 communes,
-- most of them mergers of several old ones. `cnscd units reorganize` moves a deployment
-- into that structure and keeps every old unit as history: it ends on `ended_on` (ISO
-- date) and, when another unit took it over, names it in `merged_into`. Ended units are
-- not offered for new work (search, invitations, imports, campaigns); listings say so.
ALTER TABLE units ADD COLUMN ended_on TEXT;
ALTER TABLE units ADD COLUMN merged_into TEXT REFERENCES units (code);
-- A village moved by a reorganisation: the (history) commune it came from. Two villages of
-- one name in a merged commune are told apart by it: "Thôn Đông (Hưng Đạo cũ)".
ALTER TABLE units ADD COLUMN moved_from TEXT REFERENCES units (code);

-- Where each pre-reform commune went, one row per old commune of the map. `history_code`
-- is the row that keeps the old commune: its own code, unless a new commune took that
-- code over (new communes keep the code of one they absorbed), then `<code>~<yyyymmdd>`.
-- `old_name_folded` makes former names search aliases of the new commune.
CREATE TABLE unit_successions (
    old_code        TEXT PRIMARY KEY,
    history_code    TEXT NOT NULL REFERENCES units (code),
    new_code        TEXT NOT NULL REFERENCES units (code),
    old_name        TEXT NOT NULL,
    old_name_folded TEXT NOT NULL,
    -- 1: the old commune was divided; its villages are assigned one by one
    split           INTEGER NOT NULL,
    effective_on    TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX unit_successions_new ON unit_successions (new_code);
