//! `GET|POST /userinfo` (OIDC Core §5.3) with a Bearer token in the header
//! (RFC 6750 §2.1) or, for POST, in the form body (§2.2) — never both.

use super::access::{self, AccessCheck};
use super::oauth_response::{bearer_error, json_ok};
use super::params::{is_form, parse_urlencoded};
use crate::error::AppError;
use crate::oidc::claims;
use crate::oidc::scope::Scopes;
use crate::oidc::{ErrorCode, OAuthError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;

pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = match bearer_token(&method, &headers, &body) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(bearer_error(None)),
        Err(e) => return Ok(bearer_error(Some(&e))),
    };
    let (claims, record, account) = match access::check(&state, &token).await? {
        AccessCheck::Active {
            claims,
            record,
            account,
        } => (claims, record, account),
        AccessCheck::Inactive(why) => {
            return Ok(bearer_error(Some(&OAuthError::invalid_token(why))));
        }
    };
    let scopes = Scopes::from_vec(record.scopes);
    if !scopes.contains("openid") {
        let e = OAuthError::new(
            ErrorCode::InsufficientScope,
            "the token lacks the openid scope",
        );
        return Ok(bearer_error(Some(&e)));
    }
    // The account was read with the token; it must be the token's subject, and active.
    let Some(account) = account.filter(|a| {
        a.id == claims.sub && record.account_id.as_deref() == Some(&a.id) && a.status == "active"
    }) else {
        return Ok(bearer_error(Some(&OAuthError::invalid_token(
            "the account is not available",
        ))));
    };
    // Personal data is a second query: skip it unless a scope can release some of it.
    let personal = if claims::PERSONAL_SCOPES.iter().any(|s| scopes.contains(s)) {
        state.store.personal_data(&account.id).await?
    } else {
        None
    };
    Ok(json_ok(serde_json::Value::Object(claims::userinfo(
        &account,
        &scopes,
        personal.as_ref(),
    ))))
}

fn bearer_token(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, OAuthError> {
    let from_header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| OAuthError::invalid_request("malformed Authorization header"))?;
            match v.split_once(' ') {
                Some((scheme, t))
                    if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() =>
                {
                    Some(t.trim().to_owned())
                }
                _ => {
                    return Err(OAuthError::invalid_request(
                        "Authorization must be a Bearer token",
                    ));
                }
            }
        }
    };
    let from_body = if *method == Method::POST && is_form(headers) {
        parse_urlencoded(body)
            .map_err(|_| OAuthError::invalid_request("parameter sent more than once"))?
            .get("access_token")
            .map(str::to_owned)
    } else {
        None
    };
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "send the token in one place only",
        )),
        (h, b) => Ok(h.or(b)),
    }
}
