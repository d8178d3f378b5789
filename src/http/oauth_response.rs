//! The one place protocol errors become HTTP (DESIGN.md principle 4): JSON bodies with
//! `no-store` on the token-style endpoints, `WWW-Authenticate` where RFC 6749/6750 ask
//! for it, and redirects with `error`, `state` and `iss` once the redirect URI is trusted.

use crate::oidc::{ErrorCode, OAuthError};
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

/// `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
pub fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

pub fn json_ok(body: serde_json::Value) -> Response {
    no_store(Json(body).into_response())
}

/// An error from the token, introspection or revocation endpoint. `basic_challenge` adds
/// `WWW-Authenticate: Basic` to an `invalid_client` (RFC 6749 §5.2).
pub fn json_error(err: &OAuthError, basic_challenge: bool) -> Response {
    let status = StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut resp = (
        status,
        Json(json!({ "error": err.code.as_str(), "error_description": err.description })),
    )
        .into_response();
    if err.code == ErrorCode::InvalidClient {
        let value = if basic_challenge {
            "Basic realm=\"propusk\""
        } else {
            "Bearer realm=\"propusk\""
        };
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
    }
    no_store(resp)
}

/// A protected-resource error (RFC 6750 §3): the code travels in `WWW-Authenticate`.
/// With no token at all, the challenge carries no error code (§3.1).
pub fn bearer_error(err: Option<&OAuthError>) -> Response {
    let (status, challenge) = match err {
        None => (
            StatusCode::UNAUTHORIZED,
            "Bearer realm=\"propusk\"".to_owned(),
        ),
        Some(e) => (
            StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::UNAUTHORIZED),
            format!(
                "Bearer realm=\"propusk\", error=\"{}\", error_description=\"{}\"",
                e.code.as_str(),
                e.description
            ),
        ),
    };
    let body = match err {
        None => json!({ "error": "invalid_token", "error_description": "no access token" }),
        Some(e) => json!({ "error": e.code.as_str(), "error_description": e.description }),
    };
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    no_store(resp)
}

/// `redirect_uri` with extra query parameters appended (keeping its own query).
pub fn with_query(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        // Registered redirect URIs are validated absolute URLs; keep a sane fallback.
        Err(_) => redirect_uri.to_owned(),
    }
}

/// 303 to the portal: see-other makes the browser GET the target even after a POST.
pub fn redirect(to: &str) -> Response {
    no_store(Redirect::to(to).into_response())
}

/// The authorization error response (RFC 6749 §4.1.2.1 + RFC 9207 `iss`).
pub fn redirect_error(
    redirect_uri: &str,
    err: &OAuthError,
    state: Option<&str>,
    issuer: &str,
) -> Response {
    let mut pairs = vec![
        ("error", err.code.as_str()),
        ("error_description", err.description.as_str()),
    ];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", issuer));
    redirect(&with_query(redirect_uri, &pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_appended_not_replaced() {
        assert_eq!(
            with_query(
                "https://p.example/cb?a=1",
                &[("code", "x y"), ("state", "s")]
            ),
            "https://p.example/cb?a=1&code=x+y&state=s"
        );
    }
}
