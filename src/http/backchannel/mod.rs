//! OpenID Connect Back-Channel Logout 1.0. When a session ends (logout at a portal,
//! sign-out in the cabinet, a session ended from the sessions page, a password change
//! or recovery), every portal that was given tokens in that session and registered a
//! `backchannel_logout_uri` gets a logout token: a JWT (`typ: logout+jwt`) with `sub`,
//! `sid` and the back-channel logout event, and never a `nonce` (so it cannot pass as
//! an ID token). The token is queued in the database in the same request; the worker
//! (`worker.rs`) posts it, retrying with back-off, so a portal that is down for a
//! while still learns of the logout.

pub mod config;
mod worker;

pub use worker::{deliver_due, purge_old, spawn};

use crate::error::AppError;
use crate::keys::SigningAlg;
use crate::secret::{hash_token, random_id};
use crate::state::AppState;
use crate::store::logout_deliveries::LogoutDelivery;
use crate::store::records::{ClientRecord, SessionRecord};
use serde::{Deserialize, Serialize};

/// The event a logout token carries (section 2.4).
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How long a logout token is valid. The worker re-signs one that is about to expire
/// before trying again, so a portal that was down for an hour still gets a fresh one.
pub const TOKEN_TTL: i64 = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutClaims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub sub: String,
    pub sid: String,
    pub events: serde_json::Value,
}

impl LogoutClaims {
    fn new(state: &AppState, client_id: &str, s: &SessionRecord, now: i64) -> LogoutClaims {
        LogoutClaims {
            iss: state.config.issuer.clone(),
            aud: client_id.to_owned(),
            iat: now,
            exp: now + TOKEN_TTL,
            jti: random_id(),
            sub: s.account_id.clone(),
            sid: s.id.clone(),
            events: serde_json::json!({ EVENT: {} }),
        }
    }
}

/// Signed like the portal's ID tokens (`id_token_signed_response_alg`), so the portal
/// checks it with the key it already uses.
fn sign(
    state: &AppState,
    client: &ClientRecord,
    claims: &LogoutClaims,
) -> Result<String, AppError> {
    let alg: SigningAlg = client.id_token_alg.parse()?;
    Ok(state.keys().sign(alg, "logout+jwt", claims)?)
}

/// One delivery per (portal, session): queueing the same logout twice does nothing.
fn delivery_id(client_id: &str, session_id: &str) -> String {
    hash_token(&format!("{client_id} {session_id}"))
}

/// Queue logout tokens for the portals of a session that has just ended. Returns how
/// many were queued. Call it after the session's `ended_at` is set.
pub async fn session_ended(state: &AppState, s: &SessionRecord) -> Result<usize, AppError> {
    let now = state.now();
    let mut queued = 0;
    for client_id in state.store.session_clients(&s.id).await? {
        let Some(client) = state.store.active_client(&client_id).await? else {
            continue;
        };
        let Some(uri) = client
            .settings
            .backchannel_logout_uri
            .clone()
            .filter(|u| !u.is_empty())
        else {
            continue;
        };
        let token = match sign(
            state,
            &client,
            &LogoutClaims::new(state, &client.id, s, now),
        ) {
            Ok(t) => t,
            Err(e) => {
                // A portal with an algorithm we hold no key for must not stop the logout.
                tracing::error!(client = %client.id, error = %e, "cannot sign a logout token");
                continue;
            }
        };
        let row = LogoutDelivery {
            id: delivery_id(&client.id, &s.id),
            client_id: client.id.clone(),
            uri,
            logout_token: token,
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            delivered_at: None,
            failed_at: None,
            created_at: now,
        };
        if state.store.queue_logout(&row).await? {
            queued += 1;
        }
    }
    if queued > 0 {
        tracing::info!(session = %s.id, portals = queued, "back-channel logout queued");
    }
    Ok(queued)
}

/// `session_ended` for several sessions.
pub async fn sessions_ended(
    state: &AppState,
    sessions: &[SessionRecord],
) -> Result<usize, AppError> {
    let mut queued = 0;
    for s in sessions {
        queued += session_ended(state, s).await?;
    }
    Ok(queued)
}

/// For code that ended sessions in bulk at time `at` (a password reset, blocking an
/// account): queue the logouts of the account's sessions that ended then.
pub async fn sessions_ended_at(
    state: &AppState,
    account_id: &str,
    at: i64,
) -> Result<usize, AppError> {
    let ended: Vec<SessionRecord> = state
        .store
        .all_sessions_of(account_id)
        .await?
        .into_iter()
        .filter(|s| s.ended_at == Some(at))
        .collect();
    sessions_ended(state, &ended).await
}

/// The claims of a token we signed (read back from our own queue).
fn claims_of(token: &str) -> Option<LogoutClaims> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The token to send now: the queued one, or, when it would expire within a minute,
/// the same logout (same `jti`, `sub`, `sid`) signed again with fresh times.
fn fresh_token(state: &AppState, client: &ClientRecord, queued: &str) -> Option<String> {
    let now = state.now();
    let mut claims = claims_of(queued)?;
    if claims.exp - now > 60 {
        return Some(queued.to_owned());
    }
    claims.iat = now;
    claims.exp = now + TOKEN_TTL;
    sign(state, client, &claims).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_delivery_per_portal_and_session() {
        assert_eq!(delivery_id("tax", "s1"), delivery_id("tax", "s1"));
        assert_ne!(delivery_id("tax", "s1"), delivery_id("tax", "s2"));
        assert_ne!(delivery_id("tax", "s1"), delivery_id("mobile", "s1"));
    }

    #[test]
    fn claims_read_back() {
        use base64::Engine as _;
        let c = LogoutClaims {
            iss: "https://id.example".into(),
            aud: "tax".into(),
            iat: 1,
            exp: 121,
            jti: "j".into(),
            sub: "a".into(),
            sid: "s".into(),
            events: serde_json::json!({ EVENT: {} }),
        };
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&c).unwrap());
        assert_eq!(claims_of(&format!("h.{payload}.s")), Some(c));
        assert_eq!(claims_of("garbage"), None);
    }
}
