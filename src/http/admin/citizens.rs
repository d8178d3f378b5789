//! `/admin/v1/citizens`: looking citizens up and the service-centre actions on them.

use super::auth::Caller;
use super::input::{PathParams, json, query};
use super::problem::{
    AuthProblems, BodyProblems, ConflictProblem, NotFoundProblem, ProblemResponse, QueryProblems,
};
use crate::admin::access::Role;
use crate::admin::citizen_types::{
    BlockRequest, Citizen, CitizenAction, CitizenPage, CitizenQuery, CitizenRoles,
    ConfirmIdentityRequest, RecoveryRequest, RecoveryStarted,
};
use crate::admin::{AdminError, Operation, citizen_actions, citizens, permit, recovery, roles};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};

type Answer<T> = Result<T, ProblemResponse>;

/// Search by phone, e-mail or SNILS (any format) or words of the name, a page at a time.
#[utoipa::path(get, path = "/admin/v1/citizens", tag = "citizens", operation_id = "search_citizens",
    params(CitizenQuery),
    responses((status = 200, description = "A page of citizens", body = CitizenPage),
        AuthProblems, QueryProblems))]
pub async fn search(
    State(state): State<AppState>,
    Caller(actor): Caller,
    uri: Uri,
) -> Answer<Json<CitizenPage>> {
    let p = permit(&state, &actor, Operation::SearchCitizens).await?;
    let q: CitizenQuery = query(&uri)?;
    Ok(Json(citizens::search(&state, &p, &q).await?))
}

/// Profile, level, personal data, factors, lockout, live sessions and roles.
#[utoipa::path(get, path = "/admin/v1/citizens/{id}", tag = "citizens", operation_id = "view_citizen",
    params(("id" = String, Path, description = "Account id (the `sub` of tokens)")),
    responses((status = 200, description = "The citizen", body = Citizen), AuthProblems, NotFoundProblem))]
pub async fn view(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<Citizen>> {
    let p = permit(&state, &actor, Operation::ViewCitizen).await?;
    Ok(Json(citizens::view(&state, &p, &id).await?))
}

/// Block: the citizen's sessions end and every grant and access token is revoked.
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/block", tag = "citizens",
    operation_id = "block_citizen",
    params(("id" = String, Path, description = "Account id")),
    request_body = BlockRequest,
    responses((status = 200, description = "Blocked", body = CitizenAction),
        AuthProblems, NotFoundProblem, BodyProblems, ConflictProblem))]
pub async fn block(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::BlockCitizen).await?;
    let input: BlockRequest = json(&headers, &body)?;
    Ok(Json(citizen_actions::block(&state, &p, &id, input).await?))
}

/// Let a blocked citizen log in again.
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/unblock", tag = "citizens",
    operation_id = "unblock_citizen",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "Active again", body = CitizenAction),
        AuthProblems, NotFoundProblem, ConflictProblem))]
pub async fn unblock(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::UnblockCitizen).await?;
    Ok(Json(citizen_actions::unblock(&state, &p, &id).await?))
}

/// Clear the password and second-factor lockouts.
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/unlock", tag = "citizens",
    operation_id = "unlock_citizen",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "Unlocked", body = CitizenAction),
        AuthProblems, NotFoundProblem))]
pub async fn unlock(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::UnlockCitizen).await?;
    Ok(Json(citizen_actions::unlock(&state, &p, &id).await?))
}

/// Confirm the identity after checking the document in person (standard → confirmed).
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/confirm-identity", tag = "citizens",
    operation_id = "confirm_identity",
    params(("id" = String, Path, description = "Account id")),
    request_body = ConfirmIdentityRequest,
    responses((status = 200, description = "Confirmed", body = CitizenAction),
        AuthProblems, NotFoundProblem, BodyProblems, ConflictProblem))]
pub async fn confirm_identity(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::ConfirmIdentity).await?;
    let input: ConfirmIdentityRequest = json(&headers, &body)?;
    Ok(Json(
        citizen_actions::confirm_identity(&state, &p, &id, input).await?,
    ))
}

/// Remove every second factor (TOTP, recovery codes, passkeys, trusted browsers).
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/reset-second-factors", tag = "citizens",
    operation_id = "reset_second_factors",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "Reset", body = CitizenAction),
        AuthProblems, NotFoundProblem))]
pub async fn reset_second_factors(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::ResetSecondFactors).await?;
    Ok(Json(
        citizen_actions::reset_second_factors(&state, &p, &id).await?,
    ))
}

/// Start access recovery: lockouts cleared, the recovery link sent to a confirmed contact.
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/recovery", tag = "citizens",
    operation_id = "start_recovery",
    params(("id" = String, Path, description = "Account id")),
    request_body = RecoveryRequest,
    responses((status = 202, description = "The citizen was sent the recovery link", body = RecoveryStarted),
        AuthProblems, NotFoundProblem, BodyProblems, ConflictProblem))]
pub async fn start_recovery(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer<(StatusCode, Json<RecoveryStarted>)> {
    let p = permit(&state, &actor, Operation::StartRecovery).await?;
    let input: RecoveryRequest = json(&headers, &body)?;
    let started = recovery::start(&state, &p, &id, input).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// End every live session (portals are told by back-channel logout).
#[utoipa::path(post, path = "/admin/v1/citizens/{id}/end-sessions", tag = "citizens",
    operation_id = "end_sessions",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "Sessions ended", body = CitizenAction),
        AuthProblems, NotFoundProblem))]
pub async fn end_sessions(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams(id): PathParams<String>,
) -> Answer<Json<CitizenAction>> {
    let p = permit(&state, &actor, Operation::EndSessions).await?;
    Ok(Json(citizen_actions::end_sessions(&state, &p, &id).await?))
}

fn role(name: &str) -> Result<Role, ProblemResponse> {
    Role::parse(name).ok_or_else(|| AdminError::NotFound("role").into())
}

/// Give the account a management role (used with a token carrying the role's scope).
#[utoipa::path(put, path = "/admin/v1/citizens/{id}/roles/{role}", tag = "citizens",
    operation_id = "grant_role",
    params(("id" = String, Path, description = "Account id"),
        ("role" = Role, Path, description = "admin, operator or auditor")),
    responses((status = 200, description = "The account's roles", body = CitizenRoles),
        AuthProblems, NotFoundProblem))]
pub async fn grant_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams((id, name)): PathParams<(String, String)>,
) -> Answer<Json<CitizenRoles>> {
    let p = permit(&state, &actor, Operation::GrantRole).await?;
    let role = role(&name)?;
    Ok(Json(roles::grant(&state, &p, &id, role).await?))
}

/// Take a management role away.
#[utoipa::path(delete, path = "/admin/v1/citizens/{id}/roles/{role}", tag = "citizens",
    operation_id = "revoke_role",
    params(("id" = String, Path, description = "Account id"),
        ("role" = Role, Path, description = "admin, operator or auditor")),
    responses((status = 200, description = "The account's roles", body = CitizenRoles),
        AuthProblems, NotFoundProblem))]
pub async fn revoke_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    PathParams((id, name)): PathParams<(String, String)>,
) -> Answer<Json<CitizenRoles>> {
    let p = permit(&state, &actor, Operation::RevokeRole).await?;
    let role = role(&name)?;
    Ok(Json(roles::revoke(&state, &p, &id, role).await?))
}
