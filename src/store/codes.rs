//! One-time codes. Every step is one conditional statement: counting an attempt only
//! while attempts remain, confirming only once, consuming only once, resending only
//! after the cool-down, so parallel requests or two nodes never get extra tries.

use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CodeRow {
    pub id: String,
    /// `register` | `recover` | `contact` | `postal`.
    pub purpose: String,
    pub binding_hash: Option<String>,
    pub account_id: Option<String>,
    /// `sms` | `email` | `post` | `none`.
    pub channel: String,
    pub target: String,
    /// JSON carried by the flow (the name given at registration …).
    pub payload: String,
    pub code_hash: String,
    pub attempts: i64,
    pub sends: i64,
    pub last_sent_at: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub verified_at: Option<i64>,
    pub consumed_at: Option<i64>,
}

/// The outcome of counting one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The attempt was counted; compare the hash now.
    Counted(Box<CodeRow>),
    TooManyAttempts,
    Expired,
    /// Already confirmed or used, or no such code.
    Gone,
}

macro_rules! select_codes {
    ($rest:literal) => {
        concat!(
            "SELECT id, purpose, binding_hash, account_id, channel, target, payload, code_hash, attempts, ",
            "sends, last_sent_at, created_at, expires_at, verified_at, consumed_at FROM one_time_codes ",
            $rest
        )
    };
}

impl Store {
    pub async fn insert_code_row(&self, c: &CodeRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO one_time_codes (id, purpose, binding_hash, account_id, channel, target, payload, \
             code_hash, attempts, sends, last_sent_at, created_at, expires_at, verified_at, consumed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&c.id)
        .bind(&c.purpose)
        .bind(&c.binding_hash)
        .bind(&c.account_id)
        .bind(&c.channel)
        .bind(&c.target)
        .bind(&c.payload)
        .bind(&c.code_hash)
        .bind(c.attempts)
        .bind(c.sends)
        .bind(c.last_sent_at)
        .bind(c.created_at)
        .bind(c.expires_at)
        .bind(c.verified_at)
        .bind(c.consumed_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn code_row(&self, id: &str) -> Result<Option<CodeRow>, StoreError> {
        Ok(sqlx::query_as(select_codes!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The newest unused code of an account for a purpose (the postal code).
    pub async fn open_code_for(
        &self,
        account_id: &str,
        purpose: &str,
    ) -> Result<Option<CodeRow>, StoreError> {
        Ok(sqlx::query_as(select_codes!(
            "WHERE account_id = $1 AND purpose = $2 AND consumed_at IS NULL \
             ORDER BY created_at DESC, id LIMIT 1"
        ))
        .bind(account_id)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Count one attempt at an unconfirmed code, if attempts remain and it is alive.
    pub async fn count_code_attempt(
        &self,
        id: &str,
        max_attempts: i64,
        now: UnixTime,
    ) -> Result<Attempt, StoreError> {
        let counted: Option<CodeRow> = sqlx::query_as(concat!(
            "UPDATE one_time_codes SET attempts = attempts + 1 ",
            "WHERE id = $1 AND verified_at IS NULL AND consumed_at IS NULL AND attempts < $2 AND expires_at > $3 ",
            "RETURNING id, purpose, binding_hash, account_id, channel, target, payload, code_hash, attempts, ",
            "sends, last_sent_at, created_at, expires_at, verified_at, consumed_at"
        ))
        .bind(id)
        .bind(max_attempts)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = counted {
            return Ok(Attempt::Counted(Box::new(row)));
        }
        Ok(match self.code_row(id).await? {
            Some(r) if r.verified_at.is_some() || r.consumed_at.is_some() => Attempt::Gone,
            Some(r) if r.attempts >= max_attempts => Attempt::TooManyAttempts,
            Some(_) => Attempt::Expired,
            None => Attempt::Gone,
        })
    }

    /// Mark a code confirmed (the hash matched) and give the flow `ttl` more seconds.
    /// `false` if another request confirmed it first.
    pub async fn confirm_code(
        &self,
        id: &str,
        now: UnixTime,
        ttl: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE one_time_codes SET verified_at = $2, expires_at = $3 \
             WHERE id = $1 AND verified_at IS NULL AND consumed_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(now + ttl)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Use a code once: confirmed codes (or, with `require_confirmed == false`, any live
    /// code) become consumed. Returns the row if this call won.
    pub async fn use_one_time_code(
        &self,
        id: &str,
        require_confirmed: bool,
        now: UnixTime,
    ) -> Result<Option<CodeRow>, StoreError> {
        let sql = if require_confirmed {
            concat!(
                "UPDATE one_time_codes SET consumed_at = $2 ",
                "WHERE id = $1 AND verified_at IS NOT NULL AND consumed_at IS NULL AND expires_at > $2 ",
                "RETURNING id, purpose, binding_hash, account_id, channel, target, payload, code_hash, attempts, ",
                "sends, last_sent_at, created_at, expires_at, verified_at, consumed_at"
            )
        } else {
            concat!(
                "UPDATE one_time_codes SET consumed_at = $2, verified_at = $2 ",
                "WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2 ",
                "RETURNING id, purpose, binding_hash, account_id, channel, target, payload, code_hash, attempts, ",
                "sends, last_sent_at, created_at, expires_at, verified_at, consumed_at"
            )
        };
        Ok(sqlx::query_as(sql)
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Replace the code with a fresh one, if the cool-down has passed and sends remain.
    /// Attempts start again for the new code. Returns the row if resent.
    pub async fn resend_code(
        &self,
        id: &str,
        new_hash: &str,
        now: UnixTime,
        cooldown: i64,
        max_sends: i64,
        ttl: i64,
    ) -> Result<Option<CodeRow>, StoreError> {
        Ok(sqlx::query_as(concat!(
            "UPDATE one_time_codes SET code_hash = $2, sends = sends + 1, last_sent_at = $3, attempts = 0, ",
            "expires_at = $4 WHERE id = $1 AND verified_at IS NULL AND consumed_at IS NULL ",
            "AND sends < $5 AND last_sent_at <= $6 ",
            "RETURNING id, purpose, binding_hash, account_id, channel, target, payload, code_hash, attempts, ",
            "sends, last_sent_at, created_at, expires_at, verified_at, consumed_at"
        ))
        .bind(id)
        .bind(new_hash)
        .bind(now)
        .bind(now + ttl)
        .bind(max_sends)
        .bind(now - cooldown)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Void every open code of an account for a purpose (a new postal code replaces
    /// the old letter's).
    pub async fn void_codes_for(
        &self,
        account_id: &str,
        purpose: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE one_time_codes SET consumed_at = $3 \
             WHERE account_id = $1 AND purpose = $2 AND consumed_at IS NULL",
        )
        .bind(account_id)
        .bind(purpose)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
