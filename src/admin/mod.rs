//! The management operations behind `/admin/v1` and the `propusk client|user|audit`
//! commands: each is a plain async function that takes the state, a [`Permit`] and typed
//! input, validates, calls the store and appends its audit event. The HTTP layer
//! (`http/admin/`) and the CLI only translate to and from them, so both surfaces
//! behave the same and are checked against the same role table (`access.rs`).

pub mod access;
pub mod citizen_actions;
pub mod citizen_types;
pub mod citizens;
pub mod client_rules;
pub mod client_types;
pub mod clients;
pub mod error;
pub mod journal;
pub mod recovery;
pub mod roles;

pub use access::{Actor, Operation, Permit, Role, permit};
pub use error::{AdminError, FieldError};

use crate::state::AppState;
use crate::store::audit::AuditEvent;

/// An audit event for something `actor` did, carrying where the request came from.
fn event(
    state: &AppState,
    actor: &Actor,
    kind: &str,
    account_id: Option<&str>,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        at: state.now(),
        kind: kind.to_owned(),
        account_id: account_id.map(str::to_owned),
        actor: actor.name.clone(),
        ip: actor.ip.clone(),
        user_agent: actor.user_agent.clone(),
        detail,
    }
}

/// Identifiers in paths come from anywhere: one that could never have been issued
/// (empty, huge, control characters, which PostgreSQL would refuse in TEXT) is simply
/// not found, without asking the database.
fn plausible_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 200 && !id.chars().any(char::is_control)
}
