-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- A citizen's timing records of the past day, counted on each beacon without a dossier (at most 20
-- filings without one a day): found by index, not by reading every filing's record.
CREATE INDEX timings_subject ON timings (subject_hash, received_at);
