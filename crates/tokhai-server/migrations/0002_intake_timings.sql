-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix milliseconds.

-- A dossier is stored once per idempotency key: a replay finds the first one.
ALTER TABLE submissions ADD COLUMN ruleset_hash TEXT;
ALTER TABLE submissions ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX submissions_idempotency ON submissions (idempotency_key);
CREATE INDEX submissions_subject ON submissions (subject);

-- One filing's timeline per widget session (a later beacon replaces an earlier one);
-- field ids and issue codes only, never a value. The subject is kept as a hash.
CREATE TABLE timings (
    session_id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    subject_hash TEXT NOT NULL,
    dossier_id TEXT,
    login_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    events BIGINT NOT NULL,
    clamped BIGINT NOT NULL,
    timeline TEXT NOT NULL
);
CREATE INDEX timings_form ON timings (form_id, received_at);

-- One rating (1 to 5) per dossier, with an optional comment.
CREATE TABLE satisfaction (
    dossier_id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    rating BIGINT NOT NULL,
    comment TEXT,
    rated_at BIGINT NOT NULL
);
CREATE INDEX satisfaction_form ON satisfaction (form_id, rated_at);
