-- Portable SQL: runs unchanged on SQLite and PostgreSQL (a BYTEA column holds SQLite's blobs as they are).

-- Attached files, kept as the citizen chooses them and bound to the dossier that names them
-- (`submission_id` stays empty for a file never submitted).
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    subject TEXT,
    form_id TEXT NOT NULL,
    field TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    submission_id TEXT
);
CREATE INDEX uploads_submission ON uploads (submission_id);
