-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix milliseconds.

-- The local population registry: synthetic citizens, one reply record (JSON, national-database shape) each.
CREATE TABLE citizens (
    pin TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    full_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_year INTEGER NOT NULL,
    province TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX citizens_household ON citizens (household_id);

-- Facts about the registry, e.g. the seed and size it was generated with.
CREATE TABLE registry_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Login sessions; login_at starts the filing clock.
CREATE TABLE login_sessions (
    token_hash TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    method TEXT NOT NULL,
    login_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Pending OpenID Connect authorisations (state, PKCE verifier, nonce).
CREATE TABLE oidc_pending (
    state TEXT PRIMARY KEY,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Accepted dossiers with the source of every field.
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    subject TEXT,
    login_at BIGINT,
    received_at BIGINT NOT NULL,
    digest TEXT NOT NULL,
    payload TEXT NOT NULL,
    provenance TEXT NOT NULL,
    prefill TEXT
);
CREATE INDEX submissions_form ON submissions (form_id, received_at);
