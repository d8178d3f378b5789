//! What the citizen does with their own sessions: end one, end all others, change the
//! password (which ends all others), and read their login history. Each change is one
//! conditional statement or one transaction, and says which sessions it ended, so the
//! caller can tell the portals (back-channel logout).

use super::audit::{self, AuditEvent, AuditRow};
use super::{Store, StoreError};
use crate::clock::UnixTime;

/// The journal entries the sessions page shows as the login history.
pub const LOGIN_HISTORY_KINDS: &[&str] = &[
    "login",
    "login_failed",
    "account_locked",
    "certificate_login",
    "certificate_refused",
    "passkey_login",
    "passkey_login_failed",
    "second_factor",
    "second_factor_failed",
    "new_device",
    "password_changed",
    "password_change_failed",
    "password_reset",
    "sessions_ended",
];

impl Store {
    /// End one session of this account (`false`: not theirs, or already ended).
    pub async fn end_own_session(
        &self,
        account_id: &str,
        session_id: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query(
            "UPDATE sessions SET ended_at = $3 WHERE id = $1 AND account_id = $2 AND ended_at IS NULL",
        )
        .bind(session_id)
        .bind(account_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// End every live session of the account but `keep`; returns the ended ids.
    pub async fn end_other_sessions(
        &self,
        account_id: &str,
        keep: &str,
        now: UnixTime,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "UPDATE sessions SET ended_at = $3 WHERE account_id = $1 AND id <> $2 AND ended_at IS NULL \
             RETURNING id",
        )
        .bind(account_id)
        .bind(keep)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Replace the password hash, but only if it is still `old_hash` (the one the
    /// citizen just proved they know), end every other session and journal it, in one
    /// transaction. `None`: the password changed in the meantime; nothing was done.
    pub async fn change_password(
        &self,
        account_id: &str,
        old_hash: &str,
        new_hash: &str,
        keep: &str,
        event: &AuditEvent,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE accounts SET password_hash = $3, updated_at = $4 WHERE id = $1 AND password_hash = $2",
        )
        .bind(account_id)
        .bind(old_hash)
        .bind(new_hash)
        .bind(event.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(None);
        }
        let ended: Vec<(String,)> = sqlx::query_as(
            "UPDATE sessions SET ended_at = $3 WHERE account_id = $1 AND id <> $2 AND ended_at IS NULL \
             RETURNING id",
        )
        .bind(account_id)
        .bind(keep)
        .bind(event.at)
        .fetch_all(&mut *tx)
        .await?;
        let mut event = event.clone();
        if let Some(d) = event.detail.as_object_mut() {
            d.insert("sessions_ended".into(), ended.len().into());
        }
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(Some(ended.into_iter().map(|r| r.0).collect()))
    }

    /// The account's login history, newest first.
    pub async fn login_history(
        &self,
        account_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        // The kinds are our own constants, never input.
        let kinds = LOGIN_HISTORY_KINDS
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, at, kind, account_id, actor, ip, user_agent, detail FROM audit_events \
             WHERE account_id = $1 AND kind IN ({kinds}) ORDER BY id DESC LIMIT $2"
        )))
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
