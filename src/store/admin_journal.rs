//! Reading the audit journal for auditors: filters by citizen, actor, kind and time,
//! in the order of appends (the integer id), a page at a time.

use super::audit::AuditRow;
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    pub account_id: Option<String>,
    pub actor: Option<String>,
    pub kind: Option<String>,
    /// `at >= from`.
    pub from: Option<UnixTime>,
    /// `at < to`.
    pub to: Option<UnixTime>,
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Store {
    /// Up to `limit` events matching `f` with an id above `after_id`, oldest first.
    /// The SQL is built only from fixed fragments and placeholders.
    pub async fn journal(
        &self,
        f: &JournalFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let mut binds = vec![Bind::Int(after_id)];
        let mut sql = String::from(
            "SELECT id, at, kind, account_id, actor, ip, user_agent, detail FROM audit_events \
             WHERE id > $1",
        );
        let mut add = |column: &str, op: &str, b: Bind| {
            binds.push(b);
            sql.push_str(&format!(" AND {column} {op} ${}", binds.len()));
        };
        if let Some(v) = &f.account_id {
            add("account_id", "=", Bind::Text(v.clone()));
        }
        if let Some(v) = &f.actor {
            add("actor", "=", Bind::Text(v.clone()));
        }
        if let Some(v) = &f.kind {
            add("kind", "=", Bind::Text(v.clone()));
        }
        if let Some(v) = f.from {
            add("at", ">=", Bind::Int(v));
        }
        if let Some(v) = f.to {
            add("at", "<", Bind::Int(v));
        }
        binds.push(Bind::Int(limit));
        sql.push_str(&format!(" ORDER BY id LIMIT ${}", binds.len()));
        let mut q = sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = match b {
                Bind::Text(v) => q.bind(v),
                Bind::Int(v) => q.bind(v),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}
