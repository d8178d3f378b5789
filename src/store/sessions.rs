//! Browser login sessions. The cookie's secret is kept only as its hash.

use super::codec::{list, parse_list};
use super::records::{InteractionLogin, SessionContext, SessionRecord};
use super::{Store, StoreError, batch_sql};
use crate::clock::UnixTime;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    account_id: String,
    auth_time: i64,
    amr: String,
    acr: String,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ended_at: Option<i64>,
    user_agent: Option<String>,
    ip: Option<String>,
}

impl TryFrom<Row> for SessionRecord {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(SessionRecord {
            amr: parse_list("sessions.amr", &r.amr)?,
            id: r.id,
            account_id: r.account_id,
            auth_time: r.auth_time,
            acr: r.acr,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            ended_at: r.ended_at,
            user_agent: r.user_agent,
            ip: r.ip,
        })
    }
}

macro_rules! select_sessions {
    ($rest:literal) => {
        concat!(
            "SELECT id, account_id, auth_time, amr, acr, created_at, last_seen_at, expires_at, ended_at, ",
            "user_agent, ip FROM sessions ",
            $rest
        )
    };
}

impl Store {
    /// Store a new session; when it completes a login on an interaction's page, record
    /// that login in the interaction in the same transaction and round trip.
    pub async fn insert_session(
        &self,
        s: &SessionRecord,
        secret_hash: &str,
        completes: Option<InteractionLogin<'_>>,
    ) -> Result<(), StoreError> {
        const INSERT: &str = "INSERT INTO sessions (id, secret_hash, account_id, auth_time, amr, acr, \
             created_at, last_seen_at, expires_at, ended_at, user_agent, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
        const RECORD: &str = "UPDATE interactions SET login_json = $13 WHERE id = $14";
        let sql = match completes {
            None => INSERT.to_owned(),
            Some(_) => batch_sql(self.backend, &[INSERT.to_owned(), RECORD.to_owned()]),
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(s.id.clone())
            .bind(secret_hash.to_owned())
            .bind(s.account_id.clone())
            .bind(s.auth_time)
            .bind(list(&s.amr))
            .bind(s.acr.clone())
            .bind(s.created_at)
            .bind(s.last_seen_at)
            .bind(s.expires_at)
            .bind(s.ended_at)
            .bind(s.user_agent.clone())
            .bind(s.ip.clone());
        match completes {
            None => {
                let _gate = self.write_gate().await;
                q.execute(&self.pool).await?;
                Ok(())
            }
            Some(login) => {
                q = q
                    .bind(login.login_json.to_owned())
                    .bind(login.interaction_id.to_owned());
                self.write_batch("starting a session", q).await
            }
        }
    }

    pub async fn session_by_secret(
        &self,
        secret_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(select_sessions!("WHERE secret_hash = $1"))
            .bind(secret_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// The session with this secret, with its account, the citizen's second-factor
    /// setting and, when a portal is named, the citizen's consent to it, in one query:
    /// every authorization request needs all of them.
    pub async fn session_with_account(
        &self,
        secret_hash: &str,
        client_id: Option<&str>,
    ) -> Result<Option<SessionContext>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct WithAccount {
            #[sqlx(flatten)]
            session: Row,
            #[sqlx(flatten)]
            account: super::accounts::JoinedAccount,
            u_require_second_factor: Option<i64>,
            c_scopes: Option<String>,
        }
        // Without a portal the client id binds as NULL, which no consent row equals.
        let row: Option<WithAccount> = sqlx::query_as(concat!(
            "SELECT s.id, s.account_id, s.auth_time, s.amr, s.acr, s.created_at, s.last_seen_at, \
             s.expires_at, s.ended_at, s.user_agent, s.ip, ",
            super::accounts::joined_account_columns!(),
            ", u.require_second_factor AS u_require_second_factor, c.scopes AS c_scopes \
             FROM sessions s LEFT JOIN accounts u ON u.id = s.account_id \
             LEFT JOIN consents c ON c.account_id = s.account_id AND c.client_id = $2 \
             WHERE s.secret_hash = $1",
        ))
        .bind(secret_hash)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let rule = row.u_require_second_factor.is_some_and(|r| r != 0);
        Ok(Some(SessionContext {
            session: row.session.try_into()?,
            account: row.account.into_record().map(|a| (a, rule)),
            consent: row
                .c_scopes
                .map(|s| parse_list("consents.scopes", &s))
                .transpose()?,
        }))
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(select_sessions!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Every session row of an account (ended ones too), newest first.
    pub async fn all_sessions_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(select_sessions!(
            "WHERE account_id = $1 ORDER BY created_at DESC, id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    pub async fn touch_session(&self, id: &str, now: UnixTime) -> Result<(), StoreError> {
        let _gate = self.write_gate().await;
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// True if this call ended the session (it was still open).
    pub async fn end_session(&self, id: &str, now: UnixTime) -> Result<bool, StoreError> {
        let r = sqlx::query("UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}
