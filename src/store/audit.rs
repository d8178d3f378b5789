//! The audit journal: append-only (rows are inserted, never updated or deleted here).
//! Writers that change state append their event in the same transaction.

use super::{Store, StoreError};
use crate::clock::UnixTime;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: UnixTime,
    /// `account_registered`, `level_changed`, `password_reset`, `contact_changed`,
    /// `personal_data_submitted`, `verification_finished`, `identity_confirmed` …
    pub kind: String,
    pub account_id: Option<String>,
    /// `citizen`, `system`, `operator:<name>`.
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    pub fn new(
        at: UnixTime,
        kind: &str,
        account_id: &str,
        actor: &str,
        detail: serde_json::Value,
    ) -> Self {
        AuditEvent {
            at,
            kind: kind.to_owned(),
            account_id: Some(account_id.to_owned()),
            actor: actor.to_owned(),
            ip: None,
            user_agent: None,
            detail,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub account_id: Option<String>,
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: String,
}

/// The journal's INSERT with its parameters numbered from `$first`, for a writer that
/// puts it in its own statement or batch; bind the event with `bind_event`.
pub(super) fn insert_sql(first: usize) -> String {
    let p: Vec<String> = (first..first + 7).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO audit_events (at, kind, account_id, actor, ip, user_agent, detail) \
         VALUES ({})",
        p.join(", ")
    )
}

/// Bind an event's seven values, in `insert_sql`'s order.
pub(super) fn bind_event<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    e: &AuditEvent,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(e.at)
        .bind(e.kind.clone())
        .bind(e.account_id.clone())
        .bind(e.actor.clone())
        .bind(e.ip.clone())
        .bind(e.user_agent.clone())
        .bind(e.detail.to_string())
}

pub(super) async fn append(conn: &mut AnyConnection, e: &AuditEvent) -> Result<(), StoreError> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| insert_sql(1));
    bind_event(sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())), e)
        .execute(conn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn append_audit(&self, e: &AuditEvent) -> Result<(), StoreError> {
        let _gate = self.write_gate().await;
        let mut conn = self.pool.acquire().await?;
        append(&mut conn, e).await
    }

    /// An account's events, newest first.
    pub async fn audit_for_account(
        &self,
        account_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, at, kind, account_id, actor, ip, user_agent, detail FROM audit_events \
             WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
