//! Who is calling: a bearer access token issued by propusk itself, never a static
//! password. A client-credentials token acts for its service account with the roles its
//! `propusk:*` scopes name; a citizen's token acts with the roles the account holds AND
//! the token's scopes name (`admin::access::roles_from`). The token must be live (not
//! expired or revoked), its portal enabled, and a citizen's account active.

use super::problem::ProblemResponse;
use crate::admin::Actor;
use crate::admin::access::roles_from;
use crate::http::access::{self, AccessCheck};
use crate::http::client_ip::client_ip;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::net::SocketAddr;

/// The authenticated caller of a management operation.
pub struct Caller(pub Actor);

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ProblemResponse;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer(parts) else {
            return Err(ProblemResponse::unauthorized(
                "an access token is required: Authorization: Bearer <token>",
            ));
        };
        let record = match access::check(state, token).await? {
            AccessCheck::Active { record, .. } => record,
            AccessCheck::Inactive(why) => return Err(ProblemResponse::unauthorized(why)),
        };
        if state
            .store
            .active_client(&record.client_id)
            .await?
            .is_none()
        {
            return Err(ProblemResponse::unauthorized(
                "the token's client is disabled or removed",
            ));
        }
        let mut actor = match &record.account_id {
            None => Actor::service(&record.client_id, roles_from(&record.scopes, None)),
            Some(account_id) => {
                let active = state
                    .store
                    .account(account_id)
                    .await?
                    .is_some_and(|a| a.status == "active");
                if !active {
                    return Err(ProblemResponse::unauthorized(
                        "the token's account is not active",
                    ));
                }
                let held = state.store.roles_of(account_id).await?;
                Actor::citizen(account_id, roles_from(&record.scopes, Some(&held)))
            }
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        actor.ip = client_ip(peer, &parts.headers, &state.config).map(|ip| ip.to_string());
        actor.user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect());
        Ok(Caller(actor))
    }
}
