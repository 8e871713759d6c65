-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- How the citizen who filed a dossier logged in (`oidc`, the identity provider, or `dev`, the
-- development login): an official tells an authenticated filing from a test one.
ALTER TABLE submissions ADD COLUMN login_method TEXT;
