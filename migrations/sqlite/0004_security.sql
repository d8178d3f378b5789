-- Second factors, brute-force defence, sessions and roles (issues 5 and 7).

-- Lockout counters live on the account so one conditional UPDATE both counts an attempt
-- and refuses it once the limit is reached (parallel guesses never get extra tries).
ALTER TABLE accounts ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN locked_until BIGINT;
ALTER TABLE accounts ADD COLUMN failed_factors BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN factors_locked_until BIGINT;
-- The citizen asked for a second factor at every login.
ALTER TABLE accounts ADD COLUMN require_second_factor BIGINT NOT NULL DEFAULT 0;

-- Portal settings the management API edits.
ALTER TABLE clients ADD COLUMN backchannel_logout_uri TEXT;
ALTER TABLE clients ADD COLUMN require_second_factor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN access_token_ttl BIGINT;
ALTER TABLE clients ADD COLUMN id_token_ttl BIGINT;
ALTER TABLE clients ADD COLUMN refresh_token_ttl BIGINT;
ALTER TABLE clients ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;

-- TOTP (RFC 6238): the secret (needed in clear to compute codes), confirmed by a first
-- code; the last accepted time step, so a code is never accepted twice.
CREATE TABLE totp_factors (
    account_id      TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret          TEXT NOT NULL,
    confirmed_at    BIGINT,
    last_used_step  BIGINT,
    created_at      BIGINT NOT NULL
);

-- Recovery codes: shown once, kept as SHA-256, each usable once.
CREATE TABLE recovery_codes (
    code_hash   TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX recovery_codes_account_idx ON recovery_codes (account_id);

-- Passkeys (WebAuthn): the credential as webauthn-rs serialises it.
CREATE TABLE webauthn_credentials (
    credential_id  TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    passkey        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT
);
CREATE INDEX webauthn_credentials_account_idx ON webauthn_credentials (account_id);

-- A ceremony in progress (registration or authentication), bound to the browser.
CREATE TABLE webauthn_ceremonies (
    id            TEXT PRIMARY KEY,
    binding_hash  TEXT NOT NULL,
    account_id    TEXT,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expires_idx ON webauthn_ceremonies (expires_at);

-- "Trust this browser": skips the second factor until expires_at.
CREATE TABLE trusted_devices (
    token_hash  TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX trusted_devices_account_idx ON trusted_devices (account_id);

-- Back-channel logout tokens waiting for delivery (retried with back-off).
CREATE TABLE logout_deliveries (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    uri              TEXT NOT NULL,
    logout_token     TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    locked_until     BIGINT,
    delivered_at     BIGINT,
    failed_at        BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX logout_deliveries_due_idx ON logout_deliveries (delivered_at, next_attempt_at);

-- Roles for the management API held by citizens' accounts (admin, operator, auditor).
CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    granted_by  TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);
