//! Passkeys of accounts (the credential as webauthn-rs serialises it, keyed by its
//! credential ID) and WebAuthn ceremonies in progress. A ceremony is taken — deleted and
//! returned in one statement — so one challenge answers at most one assertion, even
//! with two nodes or two parallel posts.

use super::audit::{self, AuditEvent};
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PasskeyRow {
    /// base64url of the raw credential ID.
    pub credential_id: String,
    pub account_id: String,
    /// The citizen's name for it ("Phone", "YubiKey").
    pub name: String,
    /// serde JSON of `webauthn_rs::prelude::Passkey` (public key, counter, flags).
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CeremonyRow {
    pub id: String,
    /// SHA-256 of the secret in the browser's ceremony cookie.
    pub binding_hash: String,
    pub account_id: Option<String>,
    /// `register` | `factor` | `login`.
    pub kind: String,
    /// serde JSON of the webauthn-rs ceremony state.
    pub state: String,
    pub expires_at: i64,
}

const PASSKEY_COLUMNS: &str =
    "credential_id, account_id, name, passkey, created_at, last_used_at FROM webauthn_credentials";

impl Store {
    pub async fn passkeys(&self, account_id: &str) -> Result<Vec<PasskeyRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PASSKEY_COLUMNS} WHERE account_id = $1 ORDER BY created_at, credential_id"
        )))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn passkey(&self, credential_id: &str) -> Result<Option<PasskeyRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PASSKEY_COLUMNS} WHERE credential_id = $1"
        )))
        .bind(credential_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Store a new passkey with its audit event. `false`: this credential is already
    /// registered (to this or another account) and nothing changed.
    pub async fn add_passkey(
        &self,
        row: &PasskeyRow,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO webauthn_credentials (credential_id, account_id, name, passkey, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.credential_id)
        .bind(&row.account_id)
        .bind(&row.name)
        .bind(&row.passkey)
        .bind(row.created_at)
        .bind(row.last_used_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) => {
                return match StoreError::from(e) {
                    StoreError::Conflict(_) => Ok(false),
                    other => Err(other),
                };
            }
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Remove one of the account's passkeys; the event is recorded only if it was there.
    pub async fn remove_passkey(
        &self,
        account_id: &str,
        credential_id: &str,
        event: &AuditEvent,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = sqlx::query(
            "DELETE FROM webauthn_credentials WHERE credential_id = $1 AND account_id = $2",
        )
        .bind(credential_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if gone != 1 {
            return Ok(false);
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// After an authentication: the updated credential (signature counter, backup
    /// flags) and when it was used.
    pub async fn passkey_used(
        &self,
        credential_id: &str,
        passkey: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webauthn_credentials SET passkey = $2, last_used_at = $3 WHERE credential_id = $1",
        )
        .bind(credential_id)
        .bind(passkey)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn begin_ceremony(&self, row: &CeremonyRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO webauthn_ceremonies (id, binding_hash, account_id, kind, state, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.binding_hash)
        .bind(&row.account_id)
        .bind(&row.kind)
        .bind(&row.state)
        .bind(row.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Take the ceremony `id` of this kind for the browser holding the binding: deleted
    /// and returned in one statement, so it answers one assertion at most. Expired ones
    /// are taken too (and refused by the caller's `None`).
    pub async fn take_ceremony(
        &self,
        id: &str,
        binding_hash: &str,
        kind: &str,
        now: UnixTime,
    ) -> Result<Option<CeremonyRow>, StoreError> {
        let row: Option<CeremonyRow> = sqlx::query_as(
            "DELETE FROM webauthn_ceremonies WHERE id = $1 AND binding_hash = $2 AND kind = $3 \
             RETURNING id, binding_hash, account_id, kind, state, expires_at",
        )
        .bind(id)
        .bind(binding_hash)
        .bind(kind)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.filter(|r| r.expires_at > now))
    }
}
