//! Management roles held by citizens' accounts (`account_roles`): an account acts with a
//! role only through a token that also carries the role's scope (`access.rs`).

use super::access::Role;
use super::citizen_types::CitizenRoles;
use super::citizens::load_account;
use super::{AdminError, Operation, Permit, event};
use crate::state::AppState;
use serde_json::json;

async fn roles(state: &AppState, id: &str) -> Result<CitizenRoles, AdminError> {
    let roles = state
        .store
        .roles_of(id)
        .await?
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect();
    Ok(CitizenRoles {
        id: id.to_owned(),
        roles,
    })
}

pub async fn grant(
    state: &AppState,
    permit: &Permit,
    id: &str,
    role: Role,
) -> Result<CitizenRoles, AdminError> {
    let actor = permit.actor_for(Operation::GrantRole)?;
    let a = load_account(state, id).await?;
    let e = event(
        state,
        actor,
        "role_granted",
        Some(&a.id),
        json!({"role": role.as_str()}),
    );
    state.store.grant_role(&a.id, role.as_str(), &e).await?;
    roles(state, &a.id).await
}

pub async fn revoke(
    state: &AppState,
    permit: &Permit,
    id: &str,
    role: Role,
) -> Result<CitizenRoles, AdminError> {
    let actor = permit.actor_for(Operation::RevokeRole)?;
    let a = load_account(state, id).await?;
    let held = roles(state, &a.id).await?;
    if !held.roles.contains(&role) {
        return Err(AdminError::NotFound("role"));
    }
    let e = event(
        state,
        actor,
        "role_revoked",
        Some(&a.id),
        json!({"role": role.as_str()}),
    );
    state.store.revoke_role(&a.id, role.as_str(), &e).await?;
    roles(state, &a.id).await
}
