-- Portals' own access tokens (client credentials) are self-contained: nothing is
-- written when one is issued. Revoking one (RFC 7009) records its jti here until it
-- would have expired anyway; housekeeping deletes the row after that.
CREATE TABLE revoked_tokens (
    jti         TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL,
    revoked_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
