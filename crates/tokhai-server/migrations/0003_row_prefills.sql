-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- The signed bundles of household members' rows a dossier was filled with (a JSON array), beside
-- the citizen's own bundle in `prefill`.
ALTER TABLE submissions ADD COLUMN row_prefills TEXT;
