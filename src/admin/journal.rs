//! The audit journal for auditors: a paged query by citizen, actor, kind and time
//! range, and an export of every matching event (read a chunk at a time, so an export
//! of millions of events never sits in memory).

use super::citizens::page_limit;
use super::error::Checks;
use super::{AdminError, Operation, Permit};
use crate::state::AppState;
use crate::store::admin_journal::JournalFilter;
use crate::store::audit::AuditRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 100;
/// Events read per database round trip while exporting.
const EXPORT_CHUNK: i64 = 500;

/// Filters; all given ones must match. Times are Unix seconds.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// The citizen's account id.
    pub account: Option<String>,
    /// As recorded: `citizen`, `system`, `client:<id>`, `account:<id>`, `operator:<name>`.
    pub actor: Option<String>,
    /// `login`, `account_blocked`, `admin_denied` …
    pub kind: Option<String>,
    /// Events at or after this time.
    #[param(value_type = Option<i64>)]
    pub from: Option<String>,
    /// Events before this time.
    #[param(value_type = Option<i64>)]
    pub to: Option<String>,
    /// Page size, 1 to 100 (default 50); for an export, the most events to write.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub limit: Option<String>,
    /// From the previous page's `next_cursor`: events after it.
    pub cursor: Option<String>,
}

/// One journal event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// Increases with every append.
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub account_id: Option<String>,
    pub actor: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::String(r.detail)),
            id: r.id,
            at: r.at,
            kind: r.kind,
            account_id: r.account_id,
            actor: r.actor,
            ip: r.ip,
            user_agent: r.user_agent,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JournalPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

pub async fn query(
    state: &AppState,
    permit: &Permit,
    q: &JournalQuery,
) -> Result<JournalPage, AdminError> {
    permit.actor_for(Operation::ReadJournal)?;
    let (filter, after, limit) = parse(q, DEFAULT_LIMIT, MAX_LIMIT)?;
    let mut rows = state.store.journal(&filter, after, limit + 1).await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(JournalPage {
        next_cursor: if more {
            rows.last().map(|r| r.id.to_string())
        } else {
            None
        },
        items: rows.into_iter().map(AuditEntry::from).collect(),
    })
}

/// An export in progress: call [`Export::next_chunk`] until it answers `None`.
pub struct Export {
    state: AppState,
    filter: JournalFilter,
    after: i64,
    left: i64,
}

pub fn export(state: &AppState, permit: &Permit, q: &JournalQuery) -> Result<Export, AdminError> {
    permit.actor_for(Operation::ExportJournal)?;
    let (filter, after, left) = parse(q, i64::MAX, i64::MAX)?;
    Ok(Export {
        state: state.clone(),
        filter,
        after,
        left,
    })
}

impl Export {
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<AuditEntry>>, AdminError> {
        if self.left <= 0 {
            return Ok(None);
        }
        let rows = self
            .state
            .store
            .journal(&self.filter, self.after, EXPORT_CHUNK.min(self.left))
            .await?;
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = last.id;
        self.left -= i64::try_from(rows.len()).unwrap_or(i64::MAX);
        Ok(Some(rows.into_iter().map(AuditEntry::from).collect()))
    }
}

fn parse(
    q: &JournalQuery,
    default: i64,
    max: i64,
) -> Result<(JournalFilter, i64, i64), AdminError> {
    let mut c = Checks::default();
    let text = |c: &mut Checks, field: &str, v: &Option<String>| {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        if v.len() > 300 || v.chars().any(char::is_control) {
            c.fail(field, "at most 300 characters, no control characters");
            return None;
        }
        Some(v.to_owned())
    };
    let time = |c: &mut Checks, field: &str, v: &Option<String>| {
        let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        match v.parse::<i64>() {
            Ok(t) => Some(t),
            Err(_) => {
                c.fail(field, "Unix seconds (an integer)");
                None
            }
        }
    };
    let filter = JournalFilter {
        account_id: text(&mut c, "account", &q.account),
        actor: text(&mut c, "actor", &q.actor),
        kind: text(&mut c, "kind", &q.kind),
        from: time(&mut c, "from", &q.from),
        to: time(&mut c, "to", &q.to),
    };
    let after = match q.cursor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                c.fail("cursor", "not a cursor from this API");
                0
            }
        },
    };
    let limit = page_limit(&mut c, q.limit.as_deref(), default, max);
    c.finish()?;
    Ok((filter, after, limit))
}
