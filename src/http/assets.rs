//! Static files the pages use, embedded in the binary (one file to deploy).

use axum::http::header;
use axum::response::IntoResponse;

static PASSWORD_JS: &str = include_str!("../../assets/password.js");

/// `GET /assets/password.js`: the password page's live hints.
pub async fn password_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PASSWORD_JS,
    )
}

static PASSKEY_JS: &str = include_str!("../../assets/passkey.js");

/// `GET /assets/passkey.js`: the passkey pages' WebAuthn calls.
pub async fn passkey_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PASSKEY_JS,
    )
}
