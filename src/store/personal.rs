//! Personal data (passport, SNILS, INN, birth date, gender) and the state of its
//! verification. Submitting freezes the data until the verifier answers: the update is
//! conditional on the state not being `pending`, in the same transaction that queues the
//! job, moves the SNILS onto the account and records the events.

use super::audit::{self, AuditEvent};
use super::jobs::JobRow;
use super::{Store, StoreError};
use crate::account::PersonalData;
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonalRow {
    pub account_id: String,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub passport_series: Option<String>,
    pub passport_number: Option<String>,
    pub passport_issued: Option<String>,
    pub passport_issuer: Option<String>,
    pub passport_issuer_code: Option<String>,
    pub inn: Option<String>,
    /// `pending` | `verified` | `rejected` | `failed`.
    pub state: String,
    pub state_reason: Option<String>,
    pub verified_at: Option<i64>,
    pub updated_at: i64,
}

impl PersonalRow {
    pub fn is_verified(&self) -> bool {
        self.state == "verified"
    }
}

/// What a submission does besides storing the data.
pub struct Submission<'a> {
    pub account_id: &'a str,
    pub data: &'a PersonalData,
    /// The account's level after the submission when it drops (new passport data).
    pub new_level: Option<&'a str>,
    pub job: &'a JobRow,
    pub events: &'a [AuditEvent],
    pub now: UnixTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    Queued,
    /// A verification is running: the data cannot change now.
    Frozen,
}

const COLUMNS: &str = "account_id, birth_date, gender, passport_series, passport_number, passport_issued, \
     passport_issuer, passport_issuer_code, inn, state, state_reason, verified_at, updated_at";

impl Store {
    pub async fn personal_data(&self, account_id: &str) -> Result<Option<PersonalRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM personal_data WHERE account_id = $1"
        )))
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn submit_personal_data(&self, s: &Submission<'_>) -> Result<Submitted, StoreError> {
        let d = s.data;
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE personal_data SET birth_date = $2, gender = $3, passport_series = $4, passport_number = $5, \
             passport_issued = $6, passport_issuer = $7, passport_issuer_code = $8, inn = $9, state = 'pending', \
             state_reason = NULL, updated_at = $10 WHERE account_id = $1 AND state <> 'pending'",
        )
        .bind(s.account_id)
        .bind(&d.birth_date)
        .bind(d.gender.as_str())
        .bind(&d.passport.series)
        .bind(&d.passport.number)
        .bind(&d.passport.issued)
        .bind(&d.passport.issuer)
        .bind(&d.passport.issuer_code)
        .bind(&d.inn)
        .bind(s.now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let exists: Option<(String,)> =
                sqlx::query_as("SELECT account_id FROM personal_data WHERE account_id = $1")
                    .bind(s.account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Ok(Submitted::Frozen);
            }
            sqlx::query(
                "INSERT INTO personal_data (account_id, birth_date, gender, passport_series, passport_number, \
                 passport_issued, passport_issuer, passport_issuer_code, inn, state, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)",
            )
            .bind(s.account_id)
            .bind(&d.birth_date)
            .bind(d.gender.as_str())
            .bind(&d.passport.series)
            .bind(&d.passport.number)
            .bind(&d.passport.issued)
            .bind(&d.passport.issuer)
            .bind(&d.passport.issuer_code)
            .bind(&d.inn)
            .bind(s.now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE accounts SET snils = $2, updated_at = $3 WHERE id = $1")
            .bind(s.account_id)
            .bind(&d.snils)
            .bind(s.now)
            .execute(&mut *tx)
            .await?;
        if let Some(level) = s.new_level {
            sqlx::query("UPDATE accounts SET trust_level = $2 WHERE id = $1")
                .bind(s.account_id)
                .bind(level)
                .execute(&mut *tx)
                .await?;
        }
        super::jobs::insert(&mut tx, s.job).await?;
        for e in s.events {
            audit::append(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(Submitted::Queued)
    }
}
