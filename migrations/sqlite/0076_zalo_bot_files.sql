-- The pictures (QR codes, charts) and files (reports) the Zalo Bot channel sends as links:
-- its sendPhoto takes a URL, and it has no document upload. Each is kept until its signed
-- link expires, then deleted. `content` is base64; `expires_at` is in Unix seconds.
CREATE TABLE zalo_bot_files (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX zalo_bot_files_expiry ON zalo_bot_files (expires_at);
