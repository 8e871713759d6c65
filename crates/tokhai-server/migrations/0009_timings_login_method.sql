-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- How the citizen of a filing logged in (`oidc`, `dev`, or `qa`: the QA runner's development login), for
-- QA reports by login method. A record stored before takes its dossier's; one without a dossier has none.
ALTER TABLE timings ADD COLUMN login_method TEXT;
UPDATE timings SET login_method = (SELECT login_method FROM submissions WHERE submissions.id = timings.dossier_id);
