-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix milliseconds.

-- An official's decision on a dossier, made once and kept beside it (the dossier is never edited):
-- `accepted` or `refused`, who decided (a name or an id of the agency's system), and the reasons as a
-- JSON array of {path?, message_vi, message_en?}, which a refusal must give.
CREATE TABLE decisions (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    decision TEXT NOT NULL,
    official TEXT NOT NULL,
    reasons TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);

-- The officials' list of dossiers, newest first, of every form.
CREATE INDEX submissions_received ON submissions (received_at);
