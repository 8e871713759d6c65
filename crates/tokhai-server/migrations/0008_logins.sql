-- Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- When each citizen logged in, by the hashed subject of the timing records, kept 30 days: a filing is
-- timed from its first login even once that session has ended (a logout, or a session that expired
-- mid-filing, then a login again), which login_sessions no longer holds.
CREATE TABLE logins (
    subject_hash TEXT NOT NULL,
    login_at BIGINT NOT NULL,
    PRIMARY KEY (subject_hash, login_at)
);
CREATE INDEX logins_time ON logins (login_at);
