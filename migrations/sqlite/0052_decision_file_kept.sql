-- Whether the founding decision's scan is kept in the files folder (CNSCD_FILES_DIR), named
-- by its SHA-256. Before, only the chat channel's file id and a hash were stored: Zalo's
-- attachment links stop working, so a scan counts as received only once it is kept.
-- Scans recorded before this migration are not kept (0): the report says so.
ALTER TABLE teams ADD COLUMN decision_file_kept INTEGER NOT NULL DEFAULT 0;
