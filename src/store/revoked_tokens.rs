//! The revocation list of self-contained access tokens (client credentials): a token
//! is live by its signature and expiry unless its `jti` is here.

use super::{Store, StoreError};
use crate::clock::UnixTime;

impl Store {
    /// Record a revoked self-contained token; revoking it again changes nothing.
    pub async fn revoke_self_contained(
        &self,
        jti: &str,
        client_id: &str,
        expires_at: UnixTime,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO revoked_tokens (jti, client_id, revoked_at, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(client_id)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn is_revoked(&self, jti: &str) -> Result<bool, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM revoked_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }
}
