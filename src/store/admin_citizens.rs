//! Queries the management API needs about citizens: a paged search by identifier or
//! name, the lockout counters, and ending sessions with their audit event.

use super::accounts::Row;
use super::audit::{self, AuditEvent};
use super::records::{AccountRecord, LoginKey};
use super::{Store, StoreError};

/// One condition of a search; all of a search's conditions must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// Any of these identifiers (what one typed login may mean).
    AnyLogin(Vec<LoginKey>),
    /// The full name contains one of these spellings of a word.
    NameContains(Vec<String>),
}

/// `(failed_logins, locked_until, failed_factors, factors_locked_until)`.
pub type LockoutRow = (i64, Option<i64>, i64, Option<i64>);

const FULL_NAME: &str = "(family_name || ' ' || given_name || ' ' || COALESCE(middle_name, ''))";

/// Bind `v` as the next placeholder; returns `$N`.
fn next(binds: &mut Vec<String>, v: String) -> String {
    binds.push(v);
    format!("${}", binds.len())
}

/// `%value%` for LIKE, with the wildcards in the value taken literally.
fn contains_pattern(value: &str) -> String {
    let mut p = String::from("%");
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Accounts matching every filter, ordered by id, after `after` (keyset paging).
    /// The SQL is built only from fixed fragments and placeholders; every value is bound.
    pub async fn search_accounts(
        &self,
        filters: &[AccountFilter],
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AccountRecord>, StoreError> {
        let mut sql = String::from(
            "SELECT id, family_name, given_name, middle_name, phone, email, snils, phone_verified, \
             email_verified, password_hash, trust_level, status, created_at, updated_at \
             FROM accounts WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        for f in filters {
            let mut alternatives = Vec::new();
            match f {
                AccountFilter::AnyLogin(keys) => {
                    for k in keys {
                        let (column, value) = match k {
                            LoginKey::Phone(v) => ("phone", v),
                            LoginKey::Email(v) => ("email", v),
                            LoginKey::Snils(v) => ("snils", v),
                        };
                        alternatives
                            .push(format!("{column} = {}", next(&mut binds, value.clone())));
                    }
                }
                AccountFilter::NameContains(spellings) => {
                    for s in spellings {
                        let p = next(&mut binds, contains_pattern(s));
                        alternatives.push(format!("{FULL_NAME} LIKE {p} ESCAPE '\\'"));
                    }
                }
            }
            if alternatives.is_empty() {
                alternatives.push("1 = 0".into());
            }
            sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
        }
        if let Some(a) = after {
            sql.push_str(&format!(" AND id > {}", next(&mut binds, a.to_owned())));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT ${}", binds.len() + 1));
        let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn lockout_of(&self, account_id: &str) -> Result<Option<LockoutRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT failed_logins, locked_until, failed_factors, factors_locked_until \
             FROM accounts WHERE id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// End every live session of the account and journal it, in one transaction;
    /// returns the ended sessions' ids (for back-channel logout).
    pub async fn end_sessions_audited(
        &self,
        account_id: &str,
        event: &AuditEvent,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let ended: Vec<(String,)> = sqlx::query_as(
            "UPDATE sessions SET ended_at = $2 WHERE account_id = $1 AND ended_at IS NULL \
             AND expires_at > $2 RETURNING id",
        )
        .bind(account_id)
        .bind(event.at)
        .fetch_all(&mut *tx)
        .await?;
        let mut event = event.clone();
        if let Some(d) = event.detail.as_object_mut() {
            d.insert("sessions_ended".into(), ended.len().into());
        }
        audit::append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(ended.into_iter().map(|r| r.0).collect())
    }
}
