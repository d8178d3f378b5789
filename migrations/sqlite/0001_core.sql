-- propusk core schema. Times are unix seconds (BIGINT), flags are BIGINT 0/1 and lists
-- are TEXT (JSON arrays), so one set of portable queries on sqlx::Any serves SQLite
-- and PostgreSQL alike. Secrets (codes, tokens, session cookies) are stored only as
-- SHA-256 hashes.

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY,
    family_name     TEXT NOT NULL,
    given_name      TEXT NOT NULL,
    middle_name     TEXT,
    phone           TEXT,
    email           TEXT,
    snils           TEXT,
    phone_verified  BIGINT NOT NULL DEFAULT 0,
    email_verified  BIGINT NOT NULL DEFAULT 0,
    password_hash   TEXT,
    trust_level     TEXT NOT NULL DEFAULT 'simplified',
    status          TEXT NOT NULL DEFAULT 'active',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT accounts_phone_key UNIQUE (phone),
    CONSTRAINT accounts_email_key UNIQUE (email),
    CONSTRAINT accounts_snils_key UNIQUE (snils)
);

CREATE TABLE clients (
    id                         TEXT PRIMARY KEY,
    secret_hash                TEXT,
    name                       TEXT NOT NULL,
    redirect_uris              TEXT NOT NULL,
    post_logout_redirect_uris  TEXT NOT NULL,
    scopes                     TEXT NOT NULL,
    grant_types                TEXT NOT NULL,
    auth_method                TEXT NOT NULL,
    id_token_alg               TEXT NOT NULL,
    min_trust_level            TEXT NOT NULL,
    created_at                 BIGINT NOT NULL
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    secret_hash   TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    auth_time     BIGINT NOT NULL,
    amr           TEXT NOT NULL,
    acr           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ended_at      BIGINT,
    user_agent    TEXT,
    ip            TEXT,
    CONSTRAINT sessions_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE interactions (
    id             TEXT PRIMARY KEY,
    binding_hash   TEXT NOT NULL,
    csrf_token     TEXT NOT NULL,
    request_json   TEXT NOT NULL,
    login_json     TEXT,
    consent_given  BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX interactions_expires_idx ON interactions (expires_at);

CREATE TABLE consents (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes      TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);
CREATE INDEX consents_client_idx ON consents (client_id);

CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    account_id  TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX grants_client_idx ON grants (client_id);
CREATE INDEX grants_account_idx ON grants (account_id, client_id);

CREATE TABLE authorization_codes (
    code_hash       TEXT PRIMARY KEY,
    grant_id        TEXT NOT NULL,
    client_id       TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id      TEXT NOT NULL,
    redirect_uri    TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    nonce           TEXT,
    code_challenge  TEXT,
    auth_time       BIGINT NOT NULL,
    acr             TEXT NOT NULL,
    amr             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    consumed_at     BIGINT
);
CREATE INDEX authorization_codes_client_idx ON authorization_codes (client_id);
CREATE INDEX authorization_codes_expires_idx ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    grant_id    TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    session_id  TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    auth_time   BIGINT NOT NULL,
    acr         TEXT NOT NULL,
    amr         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX refresh_tokens_grant_idx ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_client_idx ON refresh_tokens (client_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

CREATE TABLE access_tokens (
    jti         TEXT PRIMARY KEY,
    grant_id    TEXT REFERENCES grants (id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    account_id  TEXT,
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX access_tokens_grant_idx ON access_tokens (grant_id);
CREATE INDEX access_tokens_client_idx ON access_tokens (client_id);
CREATE INDEX access_tokens_expires_idx ON access_tokens (expires_at);
