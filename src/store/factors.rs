//! Second factors of an account: the TOTP secret (with the last accepted time step, so
//! a code is never accepted twice), recovery codes (hashed, single use), trusted
//! browsers, the citizen's "always ask" setting, and upgrading a session once a second
//! factor was passed.

use super::audit::{self, AuditEvent};
use super::codec::list;
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TotpRow {
    pub account_id: String,
    /// base64url of the raw secret.
    pub secret: String,
    pub confirmed_at: Option<i64>,
    pub last_used_step: Option<i64>,
    pub created_at: i64,
}

/// What the citizen has set up, for pages and the management API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorSummary {
    pub totp: bool,
    pub recovery_codes_left: i64,
    pub passkeys: i64,
    pub require_second_factor: bool,
}

impl Store {
    pub async fn totp(&self, account_id: &str) -> Result<Option<TotpRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT account_id, secret, confirmed_at, last_used_step, created_at FROM totp_factors WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Start enrolment with a new secret (replacing an unconfirmed one). `false`: a
    /// confirmed TOTP exists and must be removed first.
    pub async fn begin_totp(
        &self,
        account_id: &str,
        secret: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NULL")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO totp_factors (account_id, secret, created_at) VALUES ($1, $2, $3)",
        )
        .bind(account_id)
        .bind(secret)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {
                tx.commit().await?;
                Ok(true)
            }
            Err(e) => match StoreError::from(e) {
                StoreError::Conflict(_) => Ok(false),
                other => Err(other),
            },
        }
    }

    /// The first code confirms the enrolment (and counts as used).
    pub async fn confirm_totp(
        &self,
        account_id: &str,
        step: i64,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE totp_factors SET confirmed_at = $2, last_used_step = $3 WHERE account_id = $1 AND confirmed_at IS NULL",
        )
        .bind(account_id)
        .bind(event.at)
        .bind(step)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Accept the time step `step` once: later than any accepted before.
    pub async fn use_totp_step(&self, account_id: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_used_step = $2 WHERE account_id = $1 AND confirmed_at IS NOT NULL \
             AND (last_used_step IS NULL OR last_used_step < $2)",
        )
        .bind(account_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove_totp(
        &self,
        account_id: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(gone == 1)
    }

    /// A new set of recovery codes (their hashes) replaces the old set.
    pub async fn replace_recovery_codes(
        &self,
        account_id: &str,
        hashes: &[String],
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for h in hashes {
            sqlx::query("INSERT INTO recovery_codes (code_hash, account_id, created_at) VALUES ($1, $2, $3)")
                .bind(h)
                .bind(account_id)
                .bind(event.at)
                .execute(&mut *tx)
                .await?;
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn use_recovery_code(
        &self,
        account_id: &str,
        hash: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE code_hash = $1 AND account_id = $2 AND used_at IS NULL",
        )
        .bind(hash)
        .bind(account_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The citizen's own "always ask for a second factor" setting (one query: the
    /// authorization flow asks this at every request, the factor counts only the pages).
    pub async fn requires_second_factor(&self, account_id: &str) -> Result<bool, StoreError> {
        let require: Option<(i64,)> =
            sqlx::query_as("SELECT require_second_factor FROM accounts WHERE id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(require.is_some_and(|r| r.0 != 0))
    }

    pub async fn factor_summary(&self, account_id: &str) -> Result<FactorSummary, StoreError> {
        let totp: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM totp_factors WHERE account_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        let codes: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        let passkeys: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM webauthn_credentials WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(FactorSummary {
            totp: totp.0 > 0,
            recovery_codes_left: codes.0,
            passkeys: passkeys.0,
            require_second_factor: self.requires_second_factor(account_id).await?,
        })
    }

    pub async fn set_require_second_factor(
        &self,
        account_id: &str,
        on: bool,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET require_second_factor = $2 WHERE id = $1")
            .bind(account_id)
            .bind(i64::from(on))
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record the factors passed in this session (`amr`).
    pub async fn upgrade_session(
        &self,
        session_id: &str,
        amr: &[String],
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET amr = $2 WHERE id = $1")
            .bind(session_id)
            .bind(list(amr))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn trust_device(
        &self,
        token_hash: &str,
        account_id: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO trusted_devices (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn is_trusted_device(
        &self,
        token_hash: &str,
        account_id: &str,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT token_hash FROM trusted_devices WHERE token_hash = $1 AND account_id = $2 AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}
