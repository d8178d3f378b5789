//! Deleting what can no longer be used.

use super::{Store, StoreError};
use crate::clock::UnixTime;

/// Ended or expired sessions stay a day for the citizen's history and for audits.
const SESSION_GRACE: i64 = 24 * 3600;

impl Store {
    pub async fn purge_expired(&self, now: UnixTime) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut deleted = 0;
        for sql in [
            "DELETE FROM interactions WHERE expires_at <= $1",
            "DELETE FROM authorization_codes WHERE expires_at <= $1",
            "DELETE FROM access_tokens WHERE expires_at <= $1",
            "DELETE FROM revoked_tokens WHERE expires_at <= $1",
            "DELETE FROM refresh_tokens WHERE expires_at <= $1",
            "DELETE FROM one_time_codes WHERE expires_at <= $1",
            "DELETE FROM trusted_devices WHERE expires_at <= $1",
            "DELETE FROM webauthn_ceremonies WHERE expires_at <= $1",
            "DELETE FROM verification_jobs WHERE status = 'done' AND finished_at <= $1 - 2592000",
        ] {
            deleted += sqlx::query(sql)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        // Grants with no token left and no code that could still create tokens.
        deleted += sqlx::query(
            "DELETE FROM grants WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.id) \
             AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.id) \
             AND created_at <= $1",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        deleted += sqlx::query(
            "DELETE FROM sessions WHERE (ended_at IS NOT NULL AND ended_at <= $1) OR expires_at <= $1",
        )
        .bind(now - SESSION_GRACE)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}
