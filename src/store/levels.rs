//! Changes to an account that must be recorded with their reason: the trust level, an
//! identity confirmation, a replaced contact, a reset password. Each is one transaction
//! with its audit event.

use super::audit::{self, AuditEvent};
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation<'a> {
    pub account_id: &'a str,
    /// `operator` | `postal_code` | `certificate`.
    pub method: &'a str,
    pub actor: &'a str,
    pub document: Option<&'a str>,
    pub at: UnixTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Phone,
    Email,
}

impl Store {
    /// Raise the account to `confirmed` if it is at `standard` now (the data must have
    /// been verified). `false` when it was not at standard.
    pub async fn confirm_identity(&self, c: &Confirmation<'_>) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let raised = sqlx::query(
            "UPDATE accounts SET trust_level = 'confirmed', updated_at = $2 WHERE id = $1 AND trust_level = 'standard'",
        )
        .bind(c.account_id)
        .bind(c.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if raised != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO identity_confirmations (id, account_id, method, actor, document, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::secret::random_id())
        .bind(c.account_id)
        .bind(c.method)
        .bind(c.actor)
        .bind(c.document)
        .bind(c.at)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            &AuditEvent::new(
                c.at,
                "identity_confirmed",
                c.account_id,
                c.actor,
                serde_json::json!({"method": c.method, "document": c.document}),
            ),
        )
        .await?;
        audit::append(
            &mut tx,
            &AuditEvent::new(
                c.at,
                "level_changed",
                c.account_id,
                c.actor,
                serde_json::json!({"from": "standard", "to": "confirmed", "reason": c.method}),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replace a phone or e-mail with a confirmed one.
    pub async fn replace_contact(
        &self,
        account_id: &str,
        kind: ContactKind,
        value: &str,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let sql = match kind {
            ContactKind::Phone => {
                "UPDATE accounts SET phone = $2, phone_verified = 1, updated_at = $3 WHERE id = $1"
            }
            ContactKind::Email => {
                "UPDATE accounts SET email = $2, email_verified = 1, updated_at = $3 WHERE id = $1"
            }
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(sql)
            .bind(account_id)
            .bind(value)
            .bind(event.at)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new password: store it and end every session of the account.
    pub async fn reset_password(
        &self,
        account_id: &str,
        hash: &str,
        event: &AuditEvent,
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(account_id)
            .bind(hash)
            .bind(event.at)
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query(
            "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL",
        )
        .bind(account_id)
        .bind(event.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// A new account with its registration event.
    pub async fn register_account(
        &self,
        a: &super::records::AccountRecord,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        super::accounts::insert(&mut tx, a).await?;
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}
