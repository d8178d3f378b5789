//! `POST /introspect` (RFC 7662). Confidential clients only. Access tokens may be
//! introspected by any authenticated portal (resource servers are portals too);
//! refresh tokens only by the portal they were issued to. Anything else is
//! `{"active": false}`, which reveals nothing.

use super::access::{self, AccessCheck};
use super::client_auth::authenticated_form;
use super::oauth_response::{json_error, json_ok};
use crate::error::AppError;
use crate::oidc::OAuthError;
use crate::secret::hash_token;
use crate::state::AppState;
use crate::store::records::ClientRecord;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (client, params) = match authenticated_form(&state, &headers, &body).await? {
        Ok(ok) => ok,
        Err(resp) => return Ok(resp),
    };
    if client.secret_hash.is_none() {
        let e = OAuthError::invalid_client("introspection needs a confidential client");
        return Ok(json_error(&e, false));
    }
    let Some(token) = params.get("token") else {
        return Ok(json_error(
            &OAuthError::invalid_request("token is required"),
            false,
        ));
    };
    // The hint only orders the look-ups (RFC 7662 §2.1).
    let refresh_first = params.get("token_type_hint") == Some("refresh_token");
    let answer = if refresh_first {
        match refresh(&state, &client, token).await? {
            Some(v) => v,
            None => access_token(&state, token).await?.unwrap_or_else(inactive),
        }
    } else {
        match access_token(&state, token).await? {
            Some(v) => v,
            None => refresh(&state, &client, token)
                .await?
                .unwrap_or_else(inactive),
        }
    };
    Ok(json_ok(answer))
}

fn inactive() -> Value {
    json!({ "active": false })
}

async fn access_token(state: &AppState, token: &str) -> Result<Option<Value>, AppError> {
    Ok(match access::check(state, token).await? {
        AccessCheck::Active { claims, .. } => Some(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": claims.scope,
            "client_id": claims.client_id,
            "sub": claims.sub,
            "iss": claims.iss,
            "aud": claims.aud,
            "exp": claims.exp,
            "iat": claims.iat,
            "jti": claims.jti,
            "acr": claims.acr,
            "auth_time": claims.auth_time,
        })),
        AccessCheck::Inactive(_) => None,
    })
}

async fn refresh(
    state: &AppState,
    client: &ClientRecord,
    token: &str,
) -> Result<Option<Value>, AppError> {
    let Some((rec, grant)) = state.store.refresh_token(&hash_token(token)).await? else {
        return Ok(None);
    };
    let live = rec.client_id == client.id
        && rec.used_at.is_none()
        && grant.revoked_at.is_none()
        && rec.expires_at > state.now();
    if !live {
        return Ok(Some(inactive()));
    }
    Ok(Some(json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": rec.scopes.join(" "),
        "client_id": rec.client_id,
        "sub": rec.account_id,
        "iss": state.config.issuer,
        "exp": rec.expires_at,
        "iat": rec.created_at,
        "acr": rec.acr,
        "auth_time": rec.auth_time,
    })))
}
