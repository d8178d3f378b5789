//! Account-wide security actions, each one transaction with its audit event: blocking
//! (sessions end, every grant and access token is revoked), unlocking a lockout,
//! resetting second factors, ending sessions, and roles for the management API.

use super::audit::{self, AuditEvent};
use super::{Store, StoreError};
use crate::clock::UnixTime;

/// Roles of the management API.
pub const ROLES: [&str; 3] = ["admin", "operator", "auditor"];

impl Store {
    /// `active` | `blocked`. Blocking ends the account's sessions and revokes its grants
    /// and access tokens. `false`: no such account.
    pub async fn set_account_status(
        &self,
        account_id: &str,
        status: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let now = event.at;
        let mut tx = self.pool.begin().await?;
        let found = sqlx::query("UPDATE accounts SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(account_id)
            .bind(status)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Ok(false);
        }
        if status == "blocked" {
            for sql in [
                "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL",
                "UPDATE grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
                "UPDATE access_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
            ] {
                sqlx::query(sql)
                    .bind(account_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Clear the password and second-factor lockouts.
    pub async fn unlock_account(
        &self,
        account_id: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let found = sqlx::query(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL, failed_factors = 0, \
             factors_locked_until = NULL WHERE id = $1",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if found == 0 {
            return Ok(false);
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Remove every second factor (TOTP, recovery codes, passkeys, trusted browsers) and
    /// the citizen's own "always ask" setting: for a citizen who lost their phone.
    pub async fn reset_second_factors(
        &self,
        account_id: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let found = sqlx::query("UPDATE accounts SET require_second_factor = 0 WHERE id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if found == 0 {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM totp_factors WHERE account_id = $1",
            "DELETE FROM recovery_codes WHERE account_id = $1",
            "DELETE FROM webauthn_credentials WHERE account_id = $1",
            "DELETE FROM trusted_devices WHERE account_id = $1",
        ] {
            sqlx::query(sql).bind(account_id).execute(&mut *tx).await?;
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// End the account's live sessions, but `except` (the caller's own). Returns how many.
    pub async fn end_sessions_of(
        &self,
        account_id: &str,
        except: Option<&str>,
        now: UnixTime,
    ) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL AND id <> $3",
        )
        .bind(account_id)
        .bind(now)
        .bind(except.unwrap_or(""))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Live sessions of an account, newest first.
    pub async fn sessions_of(
        &self,
        account_id: &str,
        now: UnixTime,
    ) -> Result<Vec<super::records::SessionRecord>, StoreError> {
        let all = self.all_sessions_of(account_id).await?;
        Ok(all
            .into_iter()
            .filter(|s| s.ended_at.is_none() && s.expires_at > now)
            .collect())
    }

    pub async fn roles_of(&self, account_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    pub async fn grant_role(
        &self,
        account_id: &str,
        role: &str,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM account_roles WHERE account_id = $1 AND role = $2")
            .bind(account_id)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO account_roles (account_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4)")
            .bind(account_id)
            .bind(role)
            .bind(event.at)
            .bind(&event.actor)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_role(
        &self,
        account_id: &str,
        role: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM account_roles WHERE account_id = $1 AND role = $2")
            .bind(account_id)
            .bind(role)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(gone == 1)
    }
}
