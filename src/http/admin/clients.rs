//! `/admin/v1/clients`: portals. Each handler: role check, parse, operation, answer.

use super::auth::Caller;
use super::input::{PathParams, json};
use super::problem::{
    AuthProblems, BodyProblems, ConflictProblem, NotFoundProblem, ProblemResponse,
};
use crate::admin::client_types::{
    Client, ClientList, ClientPatch, CreatedClient, NewClient, RotatedSecret,
};
use crate::admin::{Operation, clients, permit};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

type Answer<T> = Result<T, ProblemResponse>;

/// List the registered portals.
#[utoipa::path(get, path = "/admin/v1/clients", tag = "clients", operation_id = "list_clients",
    responses((status = 200, description = "Every portal", body = ClientList), AuthProblems))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Answer<Json<ClientList>> {
    let p = permit(&state, &actor, Operation::ListClients).await?;
    Ok(Json(clients::list(&state, &p).await?))
}

/// Register a portal; a confidential portal's secret is in this answer only.
#[utoipa::path(post, path = "/admin/v1/clients", tag = "clients", operation_id = "create_client",
    request_body = NewClient,
    responses((status = 201, description = "Registered", body = CreatedClient),
        AuthProblems, BodyProblems, ConflictProblem))]
pub async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<(StatusCode, Json<CreatedClient>)> {
    let p = permit(&state, &actor, Operation::CreateClient).await?;
    let input: NewClient = json(&headers, &body)?;
    Ok((
        StatusCode::CREATED,
        Json(clients::create(&state, &p, input).await?),
    ))
}

/// One portal.
#[utoipa::path(get, path = "/admin/v1/clients/{id}", tag = "clients", operation_id = "get_client",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The portal", body = Client), AuthProblems, NotFoundProblem))]
pub async fn get(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<Client>> {
    let p = permit(&state, &actor, Operation::ReadClient).await?;
    Ok(Json(clients::get(&state, &p, &id).await?))
}

/// Change a portal's settings; omitted fields stay, `null` clears a nullable one.
#[utoipa::path(patch, path = "/admin/v1/clients/{id}", tag = "clients", operation_id = "update_client",
    params(("id" = String, Path, description = "Client id")),
    request_body = ClientPatch,
    responses((status = 200, description = "The changed portal", body = Client),
        AuthProblems, NotFoundProblem, BodyProblems))]
pub async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<Client>> {
    let p = permit(&state, &actor, Operation::UpdateClient).await?;
    let patch: ClientPatch = json(&headers, &body)?;
    Ok(Json(clients::update(&state, &p, &id, patch).await?))
}

/// Remove a portal with its consents, codes and tokens.
#[utoipa::path(delete, path = "/admin/v1/clients/{id}", tag = "clients", operation_id = "delete_client",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 204, description = "Removed"), AuthProblems, NotFoundProblem))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<StatusCode> {
    let p = permit(&state, &actor, Operation::DeleteClient).await?;
    clients::delete(&state, &p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new secret for a confidential portal, shown only in this answer.
#[utoipa::path(post, path = "/admin/v1/clients/{id}/secret", tag = "clients",
    operation_id = "rotate_client_secret",
    params(("id" = String, Path, description = "Client id")),
    responses((status = 200, description = "The new secret", body = RotatedSecret),
        AuthProblems, NotFoundProblem, ConflictProblem))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<RotatedSecret>> {
    let p = permit(&state, &actor, Operation::RotateClientSecret).await?;
    Ok(Json(clients::rotate_secret(&state, &p, &id).await?))
}
