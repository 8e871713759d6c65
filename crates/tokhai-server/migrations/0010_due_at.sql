-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- When the time limit the form's definition gives a dossier ends (Unix ms), set at its receipt in the
-- agency's office hours; none for a form without a limit, or a dossier stored before.
ALTER TABLE submissions ADD COLUMN due_at BIGINT;
