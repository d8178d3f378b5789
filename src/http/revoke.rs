//! `POST /revoke` (RFC 7009). Revoking a refresh token revokes its whole grant (the
//! access tokens issued with it too, §2.1); revoking an access token revokes just it
//! (a portal's self-contained client-credentials token goes on the revocation list).
//! Unknown or already invalid tokens answer 200, as the RFC asks.

use super::client_auth::authenticated_form;
use super::oauth_response::{json_error, no_store};
use crate::error::AppError;
use crate::oidc::OAuthError;
use crate::oidc::claims::AccessTokenClaims;
use crate::secret::hash_token;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};

pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (client, params) = match authenticated_form(&state, &headers, &body).await? {
        Ok(ok) => ok,
        Err(resp) => return Ok(resp),
    };
    let Some(token) = params.get("token") else {
        return Ok(json_error(
            &OAuthError::invalid_request("token is required"),
            false,
        ));
    };
    let now = state.now();
    let not_yours = || {
        json_error(
            &OAuthError::unauthorized_client("the token was not issued to this client"),
            false,
        )
    };
    if let Some((rec, _)) = state.store.refresh_token(&hash_token(token)).await? {
        if rec.client_id != client.id {
            return Ok(not_yours());
        }
        state.store.revoke_grant(&rec.grant_id, now).await?;
        tracing::info!(client = %client.id, "refresh token revoked");
    } else if let Ok(v) = state.keys().verify::<AccessTokenClaims>(token) {
        let c = v.claims;
        if c.is_self_contained() {
            if c.client_id != client.id {
                return Ok(not_yours());
            }
            if c.exp > now {
                state
                    .store
                    .revoke_self_contained(&c.jti, &c.client_id, c.exp, now)
                    .await?;
            }
            tracing::info!(client = %client.id, "access token revoked");
        } else if let Some((rec, _)) = state.store.access_token(&c.jti).await? {
            if rec.client_id != client.id {
                return Ok(not_yours());
            }
            state.store.revoke_access_token(&rec.jti, now).await?;
            tracing::info!(client = %client.id, "access token revoked");
        }
    }
    Ok(no_store(StatusCode::OK.into_response()))
}
