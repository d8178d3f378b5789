-- Certificates bound to accounts (qualified electronic signature login, issue 6). The
-- account is found by the SNILS in the certificate; binding records which certificates
-- the citizen has used, for the cabinet and for audits.
CREATE TABLE certificates (
    fingerprint  TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    subject      TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    serial       TEXT NOT NULL,
    not_after    BIGINT NOT NULL,
    qualified    BIGINT NOT NULL,
    bound_at     BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX certificates_account_idx ON certificates (account_id);
