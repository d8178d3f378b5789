//! Brute-force lockout counters (REQUIREMENTS.md: 3 wrong passwords in a row lock the
//! account for 15 minutes; the same for second-factor codes). An attempt is *reserved*
//! before the secret is checked, with one conditional UPDATE that refuses once the
//! limit is reached, so 200 parallel guesses (on any number of nodes) get at most the
//! limit checked. A success clears the counter; the failure that reaches the limit
//! sets the lock.

use super::audit::{self, AuditEvent};
use super::{Store, StoreError, batch_sql};
use crate::clock::UnixTime;

/// Which counter: the password, or the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Password,
    SecondFactor,
}

impl Counter {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Self::Password => ("failed_logins", "locked_until"),
            Self::SecondFactor => ("failed_factors", "factors_locked_until"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Check the secret now; this is attempt number `n` in a row.
    Granted(i64),
    /// Locked (or the limit's last attempts are being checked right now) until then.
    Locked(UnixTime),
}

impl Store {
    pub async fn reserve_attempt(
        &self,
        account_id: &str,
        counter: Counter,
        max: i64,
        now: UnixTime,
    ) -> Result<Reservation, StoreError> {
        let _gate = self.write_gate().await;
        let (n, until) = counter.columns();
        // An expired lock starts a fresh count.
        let sql = format!(
            "UPDATE accounts SET \
             {n} = CASE WHEN {until} IS NOT NULL AND {until} <= $3 THEN 1 ELSE {n} + 1 END, \
             {until} = CASE WHEN {until} IS NOT NULL AND {until} <= $3 THEN NULL ELSE {until} END \
             WHERE id = $1 AND (({until} IS NULL AND {n} < $2) OR ({until} IS NOT NULL AND {until} <= $3)) \
             RETURNING {n}"
        );
        let got: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .bind(max)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        if let Some((attempt,)) = got {
            return Ok(Reservation::Granted(attempt));
        }
        let lock: Option<(Option<i64>,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {until} FROM accounts WHERE id = $1"
        )))
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        // No lock time yet: the last allowed attempts are in flight; refuse for now.
        Ok(Reservation::Locked(
            lock.and_then(|l| l.0).unwrap_or(now + 1),
        ))
    }

    /// The secret matched: the count in a row starts again, and `event` (the login or
    /// second factor it completes) goes into the journal in the same transaction and
    /// the same round trip.
    pub async fn attempt_succeeded(
        &self,
        account_id: &str,
        counter: Counter,
        event: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        let (n, until) = counter.columns();
        let reset = format!("UPDATE accounts SET {n} = 0, {until} = NULL WHERE id = $1");
        let Some(event) = event else {
            let _gate = self.write_gate().await;
            sqlx::query(sqlx::AssertSqlSafe(reset))
                .bind(account_id)
                .execute(&self.pool)
                .await?;
            return Ok(());
        };
        let sql = batch_sql(self.backend, &[reset, audit::insert_sql(2)]);
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account_id.to_owned());
        self.write_batch("recording a success", audit::bind_event(q, event))
            .await
    }

    /// The secret did not match on attempt `attempt`: at the limit, lock for `seconds`.
    /// Returns whether this call locked the account.
    pub async fn attempt_failed(
        &self,
        account_id: &str,
        counter: Counter,
        attempt: i64,
        max: i64,
        seconds: i64,
        now: UnixTime,
    ) -> Result<bool, StoreError> {
        let _gate = self.write_gate().await;
        if attempt < max {
            return Ok(false);
        }
        let (_, until) = counter.columns();
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE accounts SET {until} = $2 WHERE id = $1 AND {until} IS NULL"
        )))
        .bind(account_id)
        .bind(now + seconds)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
