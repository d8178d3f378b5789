// A PostgreSQL adapter for node-oidc-provider, so that the peer keeps its state
// (sessions, interactions, codes, grants, refresh tokens) durably in a database as
// propusk does, instead of in the process's memory. One table, the shape of the
// adapter interface (lib/adapters/memory_adapter.js in oidc-provider); every write is
// one autocommitted statement.

import pg from 'pg';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS oidc_payloads (
  id          TEXT NOT NULL,
  type        TEXT NOT NULL,
  payload     JSONB NOT NULL,
  grant_id    TEXT,
  user_code   TEXT,
  uid         TEXT,
  expires_at  TIMESTAMPTZ,
  consumed_at TIMESTAMPTZ,
  PRIMARY KEY (id, type)
);
CREATE INDEX IF NOT EXISTS oidc_payloads_grant_idx ON oidc_payloads (grant_id);
CREATE INDEX IF NOT EXISTS oidc_payloads_uid_idx ON oidc_payloads (uid);
CREATE INDEX IF NOT EXISTS oidc_payloads_user_code_idx ON oidc_payloads (user_code);
`;

export async function pgAdapter(url) {
  // 16 connections, as propusk's PostgreSQL pool.
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  await pool.query(SCHEMA);

  const alive = '(expires_at IS NULL OR expires_at > now())';
  const row = (r) => {
    if (!r) return undefined;
    const payload = r.payload;
    if (r.consumed_at) payload.consumed = Math.floor(new Date(r.consumed_at).getTime() / 1000);
    return payload;
  };

  return class PgAdapter {
    constructor(name) {
      this.type = name;
    }

    async upsert(id, payload, expiresIn) {
      await pool.query(
        `INSERT INTO oidc_payloads (id, type, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
         ON CONFLICT (id, type) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           user_code = EXCLUDED.user_code, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
        [id, this.type, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null,
          expiresIn ?? null],
      );
    }

    async find(id) {
      const { rows } = await pool.query(
        `SELECT payload, consumed_at FROM oidc_payloads WHERE id = $1 AND type = $2 AND ${alive}`,
        [id, this.type],
      );
      return row(rows[0]);
    }

    async findByUid(uid) {
      const { rows } = await pool.query(
        `SELECT payload, consumed_at FROM oidc_payloads WHERE uid = $1 AND type = $2 AND ${alive}`,
        [uid, this.type],
      );
      return row(rows[0]);
    }

    async findByUserCode(userCode) {
      const { rows } = await pool.query(
        `SELECT payload, consumed_at FROM oidc_payloads WHERE user_code = $1 AND type = $2 AND ${alive}`,
        [userCode, this.type],
      );
      return row(rows[0]);
    }

    async consume(id) {
      await pool.query(
        'UPDATE oidc_payloads SET consumed_at = now() WHERE id = $1 AND type = $2',
        [id, this.type],
      );
    }

    async destroy(id) {
      await pool.query('DELETE FROM oidc_payloads WHERE id = $1 AND type = $2', [id, this.type]);
    }

    async revokeByGrantId(grantId) {
      await pool.query('DELETE FROM oidc_payloads WHERE grant_id = $1', [grantId]);
    }
  };
}
