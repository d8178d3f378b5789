//! Passkey ceremonies over HTTP, shared by the cabinet (registration), the second-factor
//! step and the passwordless login. A start keeps the webauthn-rs state in the database
//! bound to this browser by a per-ceremony cookie (only the hash of its secret is
//! stored; five minutes) and answers the challenge as JSON for `/assets/passkey.js`; a
//! finish takes the ceremony once and checks the browser's answer. The script posts
//! ordinary forms (the CSRF token travels in them) and reads JSON back.

use super::cookies;
use crate::authn::passkey::{self, CEREMONY_SECONDS, Relying};
use crate::error::AppError;
use crate::oidc::Params;
use crate::secret::{Secret, hash_token, random_id};
use crate::state::AppState;
use crate::store::passkeys::{CeremonyRow, PasskeyRow};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication, PublicKeyCredential};

/// What a ceremony is for; a finish only takes a ceremony of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Register,
    Factor,
    Login,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Factor => "factor",
            Self::Login => "login",
        }
    }
}

fn cookie_name(id: &str) -> String {
    format!("propusk_pk_{id}")
}

pub fn relying(state: &AppState) -> Option<Arc<Relying>> {
    state.webauthn.clone()
}

/// A JSON answer for the script; never cached.
pub fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A refusal the script shows as is: a stable code and the citizen's text.
pub fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    json(
        status,
        serde_json::json!({"error": code, "message": message}),
    )
}

/// Success: where the browser goes next.
pub fn done(jar: CookieJar, to: &str) -> Response {
    (
        jar,
        json(StatusCode::OK, serde_json::json!({"redirect": to})),
    )
        .into_response()
}

/// Keep the ceremony for this browser and answer its challenge.
pub async fn challenge(
    state: &AppState,
    jar: CookieJar,
    kind: Kind,
    account_id: Option<&str>,
    ceremony: &impl Serialize,
    options: &impl Serialize,
) -> Result<Response, AppError> {
    let binding = Secret::generate();
    let row = CeremonyRow {
        id: random_id(),
        binding_hash: binding.hash(),
        account_id: account_id.map(str::to_owned),
        kind: kind.as_str().to_owned(),
        state: serde_json::to_string(ceremony)
            .map_err(|e| AppError::Internal(format!("ceremony state: {e}")))?,
        expires_at: state.now() + CEREMONY_SECONDS,
    };
    state.store.begin_ceremony(&row).await?;
    let jar = jar.add(cookies::build(
        state,
        cookie_name(&row.id),
        binding.into_string(),
        Some(CEREMONY_SECONDS),
    ));
    let body = serde_json::json!({"ceremony": row.id, "options": options});
    Ok((jar, json(StatusCode::OK, body)).into_response())
}

/// The ceremony the form names, for this browser, if it is still live. Taken: a second
/// finish of the same ceremony finds nothing. The cookie goes either way.
pub async fn take(
    state: &AppState,
    jar: CookieJar,
    form: &Params,
    kind: Kind,
) -> Result<(Option<CeremonyRow>, CookieJar), AppError> {
    let Some(id) = form.get("ceremony").filter(|i| super::account::is_token(i)) else {
        return Ok((None, jar));
    };
    let name = cookie_name(id);
    let Some(secret) = cookies::value(&jar, &name).map(str::to_owned) else {
        return Ok((None, jar));
    };
    let row = state
        .store
        .take_ceremony(id, &hash_token(&secret), kind.as_str(), state.now())
        .await?;
    Ok((row, jar.add(cookies::removal(state, name))))
}

pub fn parse_state<T: DeserializeOwned>(row: &CeremonyRow) -> Result<T, AppError> {
    serde_json::from_str(&row.state)
        .map_err(|e| AppError::Internal(format!("ceremony {}: {e}", row.id)))
}

/// The account's passkeys as webauthn-rs uses them.
pub async fn passkeys_of(
    state: &AppState,
    account_id: &str,
) -> Result<Vec<(PasskeyRow, Passkey)>, AppError> {
    state
        .store
        .passkeys(account_id)
        .await?
        .into_iter()
        .map(|row| {
            let pk = serde_json::from_str(&row.passkey)
                .map_err(|e| AppError::Internal(format!("passkey {}: {e}", row.credential_id)))?;
            Ok((row, pk))
        })
        .collect()
}

/// The posted assertion and the stored passkey it names, if both exist.
pub async fn lookup(
    state: &AppState,
    form: &Params,
) -> Result<Option<(PublicKeyCredential, PasskeyRow)>, AppError> {
    let Ok(assertion) = passkey::parse_assertion(form.get("credential").unwrap_or("")) else {
        return Ok(None);
    };
    let row = state
        .store
        .passkey(&passkey::assertion_key(&assertion))
        .await?;
    Ok(row.map(|r| (assertion, r)))
}

/// Check the assertion against the ceremony; on success keep the credential's new
/// signature counter and the time it was used.
pub async fn verify(
    state: &AppState,
    rp: &Relying,
    assertion: &PublicKeyCredential,
    stored: &PasskeyRow,
    ceremony: &PasskeyAuthentication,
) -> Result<bool, AppError> {
    let result = match rp.finish_authentication(assertion, ceremony) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(account = %stored.account_id, error = %e, "passkey refused");
            return Ok(false);
        }
    };
    let mut pk: Passkey = serde_json::from_str(&stored.passkey)
        .map_err(|e| AppError::Internal(format!("passkey {}: {e}", stored.credential_id)))?;
    pk.update_credential(&result);
    let text = serde_json::to_string(&pk).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .passkey_used(&stored.credential_id, &text, state.now())
        .await?;
    Ok(true)
}

/// When a date is shown in the cabinet's list.
pub fn day(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day()))
        .unwrap_or_default()
}
