//! Certificates citizens have logged in with or bound in the cabinet.

use super::audit::{self, AuditEvent};
use super::codec::flag;
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CertificateRow {
    pub fingerprint: String,
    pub account_id: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_after: i64,
    pub qualified: i64,
    pub bound_at: i64,
    pub last_used_at: Option<i64>,
}

impl Store {
    /// Record (or refresh) a certificate of an account; with `set_snils`, also give the
    /// account the certificate's SNILS (it had none). One transaction with its event.
    pub async fn bind_certificate(
        &self,
        c: &CertificateRow,
        set_snils: Option<&str>,
        event: &AuditEvent,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(snils) = set_snils {
            sqlx::query(
                "UPDATE accounts SET snils = $2, updated_at = $3 WHERE id = $1 AND snils IS NULL",
            )
            .bind(&c.account_id)
            .bind(snils)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let updated = sqlx::query(
            "UPDATE certificates SET last_used_at = $3 WHERE fingerprint = $1 AND account_id = $2",
        )
        .bind(&c.fingerprint)
        .bind(&c.account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO certificates (fingerprint, account_id, subject, issuer, serial, not_after, qualified, \
                 bound_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&c.fingerprint)
            .bind(&c.account_id)
            .bind(&c.subject)
            .bind(&c.issuer)
            .bind(&c.serial)
            .bind(c.not_after)
            .bind(flag(c.qualified != 0))
            .bind(c.bound_at)
            .bind(c.last_used_at)
            .execute(&mut *tx)
            .await?;
        }
        audit::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn certificates_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<CertificateRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT fingerprint, account_id, subject, issuer, serial, not_after, qualified, bound_at, last_used_at \
             FROM certificates WHERE account_id = $1 ORDER BY bound_at, fingerprint",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
