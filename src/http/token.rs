//! `POST /token`: authorization code (RFC 6749 §4.1.3 + PKCE), refresh with rotation
//! and family revocation on reuse (RFC 9700 §4.14), client credentials (§4.4).

use super::client_auth::authenticated_form;
use super::issue::{self, AuthContext, Minted, UserGrant};
use super::oauth_response::{json_error, json_ok};
use crate::error::AppError;
use crate::oidc::scope::Scopes;
use crate::oidc::token_request::{TokenRequest, parse_token_request};
use crate::oidc::{ErrorCode, OAuthError, pkce};
use crate::secret::hash_token;
use crate::state::AppState;
use crate::store::records::{AccountRecord, ClientRecord, CodeUse, RefreshUse};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match token_inner(&state, &headers, &body).await {
        Ok(Ok(minted)) => json_ok(minted.body()),
        Ok(Err(resp)) => resp,
        Err(e) => {
            tracing::error!(error = %e, "token endpoint failed");
            let status = e.status();
            let code = if status.as_u16() == 503 {
                ErrorCode::TemporarilyUnavailable
            } else {
                ErrorCode::ServerError
            };
            let mut r = json_error(&OAuthError::new(code, "internal error"), false);
            *r.status_mut() = status;
            r.into_response()
        }
    }
}

type Outcome = Result<Result<Minted, Response>, AppError>;

async fn token_inner(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Outcome {
    let (client, params) = match authenticated_form(state, headers, body).await? {
        Ok((c, p)) => (*c, p),
        Err(resp) => return Ok(Err(resp)),
    };
    let request = match parse_token_request(&params) {
        Ok(r) => r,
        Err(e) => return Ok(Err(json_error(&e, false))),
    };
    if !client.grant_types.iter().any(|g| g == request.grant_type()) {
        let err = OAuthError::unauthorized_client(format!(
            "the client may not use {}",
            request.grant_type()
        ));
        return Ok(Err(json_error(&err, false)));
    }
    let result = match request {
        TokenRequest::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            exchange_code(
                state,
                &client,
                &code,
                &redirect_uri,
                code_verifier.as_deref(),
            )
            .await?
        }
        TokenRequest::RefreshToken {
            refresh_token,
            scope,
        } => refresh(state, &client, &refresh_token, scope.as_deref()).await?,
        TokenRequest::ClientCredentials { scope } => {
            client_credentials(state, &client, scope.as_deref()).await?
        }
    };
    Ok(result.map_err(|e| json_error(&e, false)))
}

async fn exchange_code(
    state: &AppState,
    client: &ClientRecord,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> Result<Result<Minted, OAuthError>, AppError> {
    let now = state.now();
    let (found, account) = state
        .store
        .consume_code_with_account(&hash_token(code), now)
        .await?;
    let rec = match found {
        CodeUse::Consumed(rec) => rec,
        CodeUse::Replayed(rec) => {
            // A replayed code may be stolen: revoke what the first exchange issued.
            state.store.revoke_grant(&rec.grant_id, now).await?;
            tracing::warn!(client = %rec.client_id, "authorization code replayed; grant revoked");
            return Ok(Err(OAuthError::invalid_grant(
                "the authorization code was already used",
            )));
        }
        CodeUse::NotFound => {
            return Ok(Err(OAuthError::invalid_grant("unknown authorization code")));
        }
    };
    if rec.client_id != client.id {
        return Ok(Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        )));
    }
    if rec.expires_at <= now {
        return Ok(Err(OAuthError::invalid_grant(
            "the authorization code has expired",
        )));
    }
    if rec.redirect_uri != redirect_uri {
        return Ok(Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        )));
    }
    match (&rec.code_challenge, verifier) {
        (Some(challenge), Some(v)) if pkce::verify(v, challenge) => {}
        (Some(_), Some(_)) => {
            return Ok(Err(OAuthError::invalid_grant("PKCE verification failed")));
        }
        (Some(_), None) => return Ok(Err(OAuthError::invalid_grant("code_verifier is required"))),
        (None, Some(_)) => {
            return Ok(Err(OAuthError::invalid_grant(
                "code_verifier sent but no code_challenge was",
            )));
        }
        (None, None) => {}
    }
    let Some(account) = account.filter(is_active) else {
        return Ok(Err(OAuthError::invalid_grant(
            "the account is not available",
        )));
    };
    let scopes = Scopes::from_vec(rec.scopes.clone());
    let grant = UserGrant {
        client,
        account: &account,
        grant_id: &rec.grant_id,
        new_grant: true,
        scopes: &scopes,
        grant_scopes: &scopes,
        auth: AuthContext {
            session_id: &rec.session_id,
            auth_time: rec.auth_time,
            acr: &rec.acr,
            amr: &rec.amr,
        },
        nonce: rec.nonce.as_deref(),
    };
    Ok(Ok(
        issue::for_user(state, grant, "authorization_code").await?
    ))
}

async fn refresh(
    state: &AppState,
    client: &ClientRecord,
    token: &str,
    scope: Option<&str>,
) -> Result<Result<Minted, OAuthError>, AppError> {
    let now = state.now();
    let hash = hash_token(token);
    // A request that asks for too much must not burn the token: check the scope against
    // the stored grant before the single-use step below.
    if let (Some(asked), Some((peek, _))) = (scope, state.store.refresh_token(&hash).await?)
        && peek.client_id == client.id
        && narrowed(asked, &peek.scopes).is_none()
    {
        return Ok(Err(OAuthError::invalid_scope(
            "scope exceeds the original grant",
        )));
    }
    let (rec, grant) = match state.store.use_refresh_token(&hash, now).await? {
        RefreshUse::Fresh { token, grant } => (token, grant),
        RefreshUse::Reused(rec) => {
            // Rotation makes every refresh token single-use: a second use means two
            // parties hold it, so the whole family goes.
            state.store.revoke_grant(&rec.grant_id, now).await?;
            tracing::warn!(client = %rec.client_id, "refresh token reused; grant revoked");
            return Ok(Err(OAuthError::invalid_grant(
                "the refresh token was already used",
            )));
        }
        RefreshUse::NotFound => return Ok(Err(OAuthError::invalid_grant("unknown refresh token"))),
    };
    if rec.client_id != client.id {
        state.store.revoke_grant(&rec.grant_id, now).await?;
        return Ok(Err(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        )));
    }
    if grant.revoked_at.is_some() || rec.expires_at <= now {
        return Ok(Err(OAuthError::invalid_grant(
            "the refresh token is no longer valid",
        )));
    }
    // Narrowing applies to this response's access token; the new refresh token keeps
    // the original scope (RFC 6749 §6).
    let original = Scopes::from_vec(rec.scopes.clone());
    let scopes = match scope {
        None => original.clone(),
        Some(asked) => match narrowed(asked, &rec.scopes) {
            Some(s) => s,
            None => {
                return Ok(Err(OAuthError::invalid_scope(
                    "scope exceeds the original grant",
                )));
            }
        },
    };
    let Some(account) = active_account(state, &rec.account_id).await? else {
        return Ok(Err(OAuthError::invalid_grant(
            "the account is not available",
        )));
    };
    let g = UserGrant {
        client,
        account: &account,
        grant_id: &rec.grant_id,
        new_grant: false,
        scopes: &scopes,
        grant_scopes: &original,
        auth: AuthContext {
            session_id: &rec.session_id,
            auth_time: rec.auth_time,
            acr: &rec.acr,
            amr: &rec.amr,
        },
        nonce: None,
    };
    Ok(Ok(issue::for_user(state, g, "refresh_token").await?))
}

/// The requested scope if it is a non-empty subset of the grant's.
fn narrowed(asked: &str, granted: &[String]) -> Option<Scopes> {
    let asked = Scopes::parse_supported(asked);
    (!asked.is_empty() && asked.is_subset_of(granted)).then_some(asked)
}

/// Scopes a portal may ask for itself: its registered ones, minus those that name a
/// citizen (there is none in this grant).
async fn client_credentials(
    state: &AppState,
    client: &ClientRecord,
    scope: Option<&str>,
) -> Result<Result<Minted, OAuthError>, AppError> {
    if client.secret_hash.is_none() {
        return Ok(Err(OAuthError::unauthorized_client(
            "public clients cannot use client_credentials",
        )));
    }
    let citizen_scopes = crate::oidc::scope::SUPPORTED;
    let mut granted = Vec::new();
    for s in scope.unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if citizen_scopes.contains(&s) || !client.scopes.iter().any(|c| c == s) {
            return Ok(Err(OAuthError::invalid_scope(format!(
                "scope {s} is not available to this client"
            ))));
        }
        if !granted.iter().any(|g: &String| g == s) {
            granted.push(s.to_owned());
        }
    }
    Ok(Ok(issue::for_client(
        state,
        client,
        &Scopes::from_vec(granted),
    )
    .await?))
}

async fn active_account(state: &AppState, id: &str) -> Result<Option<AccountRecord>, AppError> {
    Ok(state.store.account(id).await?.filter(is_active))
}

/// Tokens go only to an active account (not blocked, not deleted).
fn is_active(account: &AccountRecord) -> bool {
    account.status == "active"
}
