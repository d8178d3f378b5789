//! Client authentication at the token, introspection and revocation endpoints
//! (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post`, or `none` for public
//! clients. A client must use the method it registered.

use crate::error::AppError;
use crate::oidc::{OAuthError, Params};
use crate::secret::{constant_time_eq, hash_token};
use crate::state::AppState;
use crate::store::records::ClientRecord;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How the request tried to authenticate; `basic` decides the `WWW-Authenticate`
/// challenge on failure.
pub struct Attempt {
    pub basic: bool,
}

/// Read a form body and authenticate the client, answering protocol errors as JSON:
/// the common start of the token, introspection and revocation endpoints.
pub async fn authenticated_form(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(Box<ClientRecord>, Params), axum::response::Response>, AppError> {
    use super::oauth_response::json_error;
    let params = match super::params::form_body(headers, body) {
        Ok(p) => p,
        Err(e) => {
            return Ok(Err(json_error(
                &OAuthError::invalid_request(e.description()),
                false,
            )));
        }
    };
    match authenticate(state, headers, &params).await? {
        ClientAuth::Authenticated(c) => Ok(Ok((c, params))),
        ClientAuth::Failed(e, attempt) => Ok(Err(json_error(&e, attempt.basic))),
    }
}

pub enum ClientAuth {
    Authenticated(Box<ClientRecord>),
    Failed(OAuthError, Attempt),
}

pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<ClientAuth, AppError> {
    let basic = match basic_credentials(headers) {
        Ok(b) => b,
        Err(e) => return Ok(ClientAuth::Failed(e, Attempt { basic: true })),
    };
    let attempt = Attempt {
        basic: basic.is_some(),
    };
    let fail = |e: OAuthError| {
        Ok(ClientAuth::Failed(
            e,
            Attempt {
                basic: attempt.basic,
            },
        ))
    };
    let (client_id, secret, method) = match (basic, params.get("client_secret")) {
        (Some(_), Some(_)) => {
            return fail(OAuthError::invalid_request(
                "use one client authentication method, not two",
            ));
        }
        (Some((id, secret)), None) => {
            if params.get("client_id").is_some_and(|b| b != id) {
                return fail(OAuthError::invalid_request(
                    "client_id does not match the credentials",
                ));
            }
            (id, Some(secret), "client_secret_basic")
        }
        (None, Some(secret)) => match params.get("client_id") {
            Some(id) => (id.to_owned(), Some(secret.to_owned()), "client_secret_post"),
            None => return fail(OAuthError::invalid_request("client_id is required")),
        },
        (None, None) => match params.get("client_id") {
            Some(id) => (id.to_owned(), None, "none"),
            None => {
                return fail(OAuthError::invalid_client(
                    "client authentication is required",
                ));
            }
        },
    };
    let unknown = || OAuthError::invalid_client("client authentication failed");
    let Some(client) = state.store.active_client(&client_id).await? else {
        return fail(unknown());
    };
    if client.auth_method != method {
        return fail(OAuthError::invalid_client(format!(
            "the client must authenticate with {}",
            client.auth_method
        )));
    }
    match (secret, &client.secret_hash) {
        (None, None) => Ok(ClientAuth::Authenticated(Box::new(client))),
        (Some(s), Some(hash)) if constant_time_eq(&hash_token(&s), hash) => {
            Ok(ClientAuth::Authenticated(Box::new(client)))
        }
        _ => fail(unknown()),
    }
}

/// `Authorization: Basic` with form-urlencoded id and secret (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || OAuthError::invalid_client("malformed Basic credentials");
    let value = value.to_str().map_err(|_| bad())?;
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Err(bad());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(bad());
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let id = form_decode(id).ok_or_else(bad)?;
    let secret = form_decode(secret).ok_or_else(bad)?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok(Some((id, secret)))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space.
fn form_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}
