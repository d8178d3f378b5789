//! Back-channel logout tokens waiting for delivery to portals. Queued when a session
//! ends; a worker on any node claims one with a conditional update and a lease (a
//! worker that died mid-delivery loses its claim when the lease runs out), posts it,
//! and records delivered, retry-at, or failed.

use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogoutDelivery {
    /// Derived from (client, session), so queueing the same logout twice is a no-op.
    pub id: String,
    pub client_id: String,
    /// The portal's `backchannel_logout_uri` when the logout was queued.
    pub uri: String,
    pub logout_token: String,
    /// Tries so far (counted when claimed).
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub locked_until: Option<i64>,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, client_id, uri, logout_token, attempts, next_attempt_at, locked_until, \
                       delivered_at, failed_at, created_at";

/// Still owed and not claimed by a live worker (`$1` is now).
const DUE: &str = "delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                   AND (locked_until IS NULL OR locked_until <= $1)";

impl Store {
    /// The portals that were given a code or a refresh token in this session.
    pub async fn session_clients(&self, session_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT client_id FROM authorization_codes WHERE session_id = $1 \
             UNION SELECT client_id FROM refresh_tokens WHERE session_id = $1 ORDER BY 1",
        )
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Queue a delivery; `false` when this (client, session) was queued before.
    pub async fn queue_logout(&self, d: &LogoutDelivery) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "INSERT INTO logout_deliveries (id, client_id, uri, logout_token, attempts, next_attempt_at, \
             locked_until, delivered_at, failed_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&d.id)
        .bind(&d.client_id)
        .bind(&d.uri)
        .bind(&d.logout_token)
        .bind(d.attempts)
        .bind(d.next_attempt_at)
        .bind(d.locked_until)
        .bind(d.delivered_at)
        .bind(d.failed_at)
        .bind(d.created_at)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Claim one due delivery for `lease` seconds (its attempt is counted), or `None`.
    pub async fn claim_logout_delivery(
        &self,
        now: UnixTime,
        lease: i64,
    ) -> Result<Option<LogoutDelivery>, StoreError> {
        for _ in 0..3 {
            let candidate: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM logout_deliveries WHERE {DUE} ORDER BY next_attempt_at, id LIMIT 1"
            )))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            let Some((id,)) = candidate else {
                return Ok(None);
            };
            let claimed: Option<LogoutDelivery> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE logout_deliveries SET locked_until = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND {DUE} RETURNING {COLUMNS}"
            )))
            .bind(now)
            .bind(now + lease)
            .bind(&id)
            .fetch_optional(&self.pool)
            .await?;
            if claimed.is_some() {
                return Ok(claimed);
            }
            // Another worker took it: look again.
        }
        Ok(None)
    }

    pub async fn logout_delivered(&self, id: &str, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE logout_deliveries SET delivered_at = $2, locked_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Try again at `at`, with `token` (re-signed when the old one was about to expire).
    pub async fn logout_retry(
        &self,
        id: &str,
        at: UnixTime,
        token: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE logout_deliveries SET next_attempt_at = $2, logout_token = $3, locked_until = NULL \
             WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Given up after too many tries.
    pub async fn logout_failed(&self, id: &str, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE logout_deliveries SET failed_at = $2, locked_until = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A portal's deliveries, oldest first (for operators and tests).
    pub async fn logout_deliveries_of(
        &self,
        client_id: &str,
    ) -> Result<Vec<LogoutDelivery>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM logout_deliveries WHERE client_id = $1 ORDER BY created_at, id"
        )))
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// Forget deliveries that finished before `before`.
    pub async fn purge_logout_deliveries(&self, before: UnixTime) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "DELETE FROM logout_deliveries WHERE delivered_at <= $1 OR failed_at <= $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
