//! Registering and running portals: create, read, update, delete, list, rotate the
//! secret. A secret is 256 random bits shown once; only its SHA-256 is kept.

use super::client_rules::{self, ClientSpec};
use super::client_types::{
    Client, ClientList, ClientPatch, CreatedClient, NewClient, RotatedSecret,
};
use super::{Actor, AdminError, Operation, Permit, event, plausible_id};
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::records::ClientRecord;
use serde_json::json;

async fn load(state: &AppState, id: &str) -> Result<ClientRecord, AdminError> {
    if !plausible_id(id) {
        return Err(AdminError::NotFound("client"));
    }
    state
        .store
        .client(id)
        .await?
        .ok_or(AdminError::NotFound("client"))
}

/// A service account may not remove or disable the client it is calling as: it would
/// lock itself out, and with it perhaps the last administrator.
fn not_itself(actor: &Actor, id: &str) -> Result<(), AdminError> {
    if actor.name == format!("client:{id}") {
        return Err(AdminError::conflict(
            "a service account cannot remove or disable itself",
        ));
    }
    Ok(())
}

pub async fn list(state: &AppState, permit: &Permit) -> Result<ClientList, AdminError> {
    permit.actor_for(Operation::ListClients)?;
    let items = state.store.list_clients().await?;
    Ok(ClientList {
        items: items.iter().map(Client::from).collect(),
    })
}

pub async fn get(state: &AppState, permit: &Permit, id: &str) -> Result<Client, AdminError> {
    permit.actor_for(Operation::ReadClient)?;
    Ok(Client::from(&load(state, id).await?))
}

pub async fn create(
    state: &AppState,
    permit: &Permit,
    input: NewClient,
) -> Result<CreatedClient, AdminError> {
    let actor = permit.actor_for(Operation::CreateClient)?;
    let spec = ClientSpec::from_new(input);
    client_rules::check(&spec, &state.config.tokens)?;
    let secret = (!spec.public).then(Secret::generate);
    let record = spec.into_record(secret.as_ref().map(Secret::hash), state.now());
    match state.store.insert_client(&record).await {
        Err(crate::store::StoreError::Conflict(_)) => {
            return Err(AdminError::Conflict {
                field: Some("id".into()),
                detail: format!("client {} is already registered", record.id),
            });
        }
        other => other?,
    }
    let client = Client::from(&record);
    state
        .store
        .append_audit(&event(
            state,
            actor,
            "client_created",
            None,
            json!({"client_id": record.id, "client": client}),
        ))
        .await?;
    Ok(CreatedClient {
        client,
        client_secret: secret.map(Secret::into_string),
    })
}

pub async fn update(
    state: &AppState,
    permit: &Permit,
    id: &str,
    patch: ClientPatch,
) -> Result<Client, AdminError> {
    let actor = permit.actor_for(Operation::UpdateClient)?;
    if patch.enabled == Some(false) {
        not_itself(actor, id)?;
    }
    let current = load(state, id).await?;
    let mut spec = ClientSpec::from_record(&current);
    spec.apply(patch);
    client_rules::check(&spec, &state.config.tokens)?;
    let record = spec.into_record(current.secret_hash.clone(), current.created_at);
    if !state.store.update_client(&record).await? {
        return Err(AdminError::NotFound("client"));
    }
    let client = Client::from(&record);
    state
        .store
        .append_audit(&event(
            state,
            actor,
            "client_updated",
            None,
            json!({"client_id": record.id, "before": Client::from(&current), "after": client}),
        ))
        .await?;
    Ok(client)
}

/// Remove a portal with its consents, codes and tokens.
pub async fn delete(state: &AppState, permit: &Permit, id: &str) -> Result<(), AdminError> {
    let actor = permit.actor_for(Operation::DeleteClient)?;
    not_itself(actor, id)?;
    if !plausible_id(id) || !state.store.remove_client(id).await? {
        return Err(AdminError::NotFound("client"));
    }
    state
        .store
        .append_audit(&event(
            state,
            actor,
            "client_deleted",
            None,
            json!({"client_id": id}),
        ))
        .await?;
    Ok(())
}

/// A new secret; the old one stops working at once (tokens already issued stay valid
/// until they expire or are revoked).
pub async fn rotate_secret(
    state: &AppState,
    permit: &Permit,
    id: &str,
) -> Result<RotatedSecret, AdminError> {
    let actor = permit.actor_for(Operation::RotateClientSecret)?;
    let mut record = load(state, id).await?;
    if record.secret_hash.is_none() {
        return Err(AdminError::conflict(
            "a public client has no secret to rotate",
        ));
    }
    let secret = Secret::generate();
    record.secret_hash = Some(secret.hash());
    if !state.store.update_client(&record).await? {
        return Err(AdminError::NotFound("client"));
    }
    state
        .store
        .append_audit(&event(
            state,
            actor,
            "client_secret_rotated",
            None,
            json!({"client_id": record.id}),
        ))
        .await?;
    Ok(RotatedSecret {
        client_id: record.id,
        client_secret: secret.into_string(),
    })
}
