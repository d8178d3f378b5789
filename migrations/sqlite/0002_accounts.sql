-- The account lifecycle (issue 4): personal data and its verification, one-time codes
-- for registration, recovery, contact changes and postal confirmation, identity
-- confirmations, and the audit journal. Same conventions as 0001.

CREATE TABLE personal_data (
    account_id            TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    birth_date            TEXT,
    gender                TEXT,
    passport_series       TEXT,
    passport_number       TEXT,
    passport_issued       TEXT,
    passport_issuer       TEXT,
    passport_issuer_code  TEXT,
    inn                   TEXT,
    -- draft | pending | verified | rejected | failed
    state                 TEXT NOT NULL,
    state_reason          TEXT,
    verified_at           BIGINT,
    updated_at            BIGINT NOT NULL,
    CONSTRAINT personal_data_inn_key UNIQUE (inn),
    CONSTRAINT personal_data_passport_key UNIQUE (passport_series, passport_number)
);

CREATE TABLE one_time_codes (
    id            TEXT PRIMARY KEY,
    -- register | recover | contact | postal
    purpose       TEXT NOT NULL,
    -- SHA-256 of the browser's flow cookie; NULL for codes not tied to a browser (post)
    binding_hash  TEXT,
    account_id    TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    -- sms | email | post | none (recovery for an unknown login: nothing is sent)
    channel       TEXT NOT NULL,
    target        TEXT NOT NULL,
    payload       TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    sends         BIGINT NOT NULL DEFAULT 1,
    last_sent_at  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    verified_at   BIGINT,
    consumed_at   BIGINT
);
CREATE INDEX one_time_codes_account_idx ON one_time_codes (account_id, purpose);
CREATE INDEX one_time_codes_expires_idx ON one_time_codes (expires_at);

CREATE TABLE verification_jobs (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    payload       TEXT NOT NULL,
    -- queued | running | done
    status        TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    run_after     BIGINT NOT NULL,
    locked_until  BIGINT,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX verification_jobs_due_idx ON verification_jobs (status, run_after);

CREATE TABLE identity_confirmations (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- operator | postal_code | certificate
    method      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    document    TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX identity_confirmations_account_idx ON identity_confirmations (account_id);

-- Append-only: rows are inserted, never updated. No foreign key: the journal outlives
-- the account. The integer id keeps the order of appends.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    account_id  TEXT,
    actor       TEXT NOT NULL,
    ip          TEXT,
    user_agent  TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_events_account_idx ON audit_events (account_id, id);
CREATE INDEX audit_events_kind_idx ON audit_events (kind, at);
