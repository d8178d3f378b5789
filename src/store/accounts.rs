//! Citizens' accounts.

use super::codec::flag;
use super::records::{AccountRecord, LoginKey};
use super::{Store, StoreError};
use crate::clock::UnixTime;

/// An `accounts` row as sqlx reads it (also used by the operators' search).
#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: String,
    family_name: String,
    given_name: String,
    middle_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    snils: Option<String>,
    phone_verified: i64,
    email_verified: i64,
    password_hash: Option<String>,
    trust_level: String,
    status: String,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for AccountRecord {
    fn from(r: Row) -> Self {
        AccountRecord {
            id: r.id,
            family_name: r.family_name,
            given_name: r.given_name,
            middle_name: r.middle_name,
            phone: r.phone,
            email: r.email,
            snils: r.snils,
            phone_verified: r.phone_verified != 0,
            email_verified: r.email_verified != 0,
            password_hash: r.password_hash,
            trust_level: r.trust_level,
            status: r.status,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// An account read beside another row (LEFT JOIN, columns prefixed `u_`): every column
/// may be NULL when there is no account.
#[derive(sqlx::FromRow)]
pub(super) struct JoinedAccount {
    u_id: Option<String>,
    u_family_name: Option<String>,
    u_given_name: Option<String>,
    u_middle_name: Option<String>,
    u_phone: Option<String>,
    u_email: Option<String>,
    u_snils: Option<String>,
    u_phone_verified: Option<i64>,
    u_email_verified: Option<i64>,
    u_password_hash: Option<String>,
    u_trust_level: Option<String>,
    u_status: Option<String>,
    u_created_at: Option<i64>,
    u_updated_at: Option<i64>,
}

impl JoinedAccount {
    pub(super) fn into_record(self) -> Option<AccountRecord> {
        Some(AccountRecord {
            id: self.u_id?,
            family_name: self.u_family_name?,
            given_name: self.u_given_name?,
            middle_name: self.u_middle_name,
            phone: self.u_phone,
            email: self.u_email,
            snils: self.u_snils,
            phone_verified: self.u_phone_verified? != 0,
            email_verified: self.u_email_verified? != 0,
            password_hash: self.u_password_hash,
            trust_level: self.u_trust_level?,
            status: self.u_status?,
            created_at: self.u_created_at?,
            updated_at: self.u_updated_at?,
        })
    }
}

/// Every column of an account joined as `u` (`u.id AS u_id, …`), for `JoinedAccount`.
macro_rules! joined_account_columns {
    () => {
        concat!(
            "u.id AS u_id, u.family_name AS u_family_name, u.given_name AS u_given_name, ",
            "u.middle_name AS u_middle_name, u.phone AS u_phone, u.email AS u_email, ",
            "u.snils AS u_snils, u.phone_verified AS u_phone_verified, ",
            "u.email_verified AS u_email_verified, u.password_hash AS u_password_hash, ",
            "u.trust_level AS u_trust_level, u.status AS u_status, u.created_at AS u_created_at, ",
            "u.updated_at AS u_updated_at"
        )
    };
}
pub(super) use joined_account_columns;

/// `SELECT <every column> FROM accounts WHERE …` as a `&'static str` (sqlx 0.9 takes
/// static SQL, which keeps input out of statements).
macro_rules! select_accounts {
    ($rest:literal) => {
        concat!(
            "SELECT id, family_name, given_name, middle_name, phone, email, snils, phone_verified, ",
            "email_verified, password_hash, trust_level, status, created_at, updated_at",
            " FROM accounts ",
            $rest
        )
    };
}

pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    a: &AccountRecord,
) -> Result<(), StoreError> {
    sqlx::query(
            "INSERT INTO accounts (id, family_name, given_name, middle_name, phone, email, snils, \
             phone_verified, email_verified, password_hash, trust_level, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&a.id)
        .bind(&a.family_name)
        .bind(&a.given_name)
        .bind(&a.middle_name)
        .bind(&a.phone)
        .bind(&a.email)
        .bind(&a.snils)
        .bind(flag(a.phone_verified))
        .bind(flag(a.email_verified))
        .bind(&a.password_hash)
        .bind(&a.trust_level)
        .bind(&a.status)
        .bind(a.created_at)
        .bind(a.updated_at)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn insert_account(&self, a: &AccountRecord) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert(&mut conn, a).await
    }

    pub async fn account(&self, id: &str) -> Result<Option<AccountRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(select_accounts!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    pub async fn account_by_login(
        &self,
        key: &LoginKey,
    ) -> Result<Option<AccountRecord>, StoreError> {
        let (sql, value) = match key {
            LoginKey::Phone(v) => (select_accounts!("WHERE phone = $1"), v),
            LoginKey::Email(v) => (select_accounts!("WHERE email = $1"), v),
            LoginKey::Snils(v) => (select_accounts!("WHERE snils = $1"), v),
        };
        let row: Option<Row> = sqlx::query_as(sql)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    pub async fn list_accounts(&self) -> Result<Vec<AccountRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(select_accounts!("ORDER BY created_at, id"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn set_password_hash(
        &self,
        account_id: &str,
        hash: &str,
        now: UnixTime,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
