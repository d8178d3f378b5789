//! Discovery, JWKS, health and metrics.

use super::metrics;
use crate::error::AppError;
use crate::oidc::discovery;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::cell::RefCell;

/// The discovery document depends on the issuer alone: each thread serializes it once
/// per issuer and answers every later request with the same bytes.
pub async fn discovery(State(state): State<AppState>) -> Response {
    thread_local! {
        static CACHED: RefCell<Option<(String, Bytes)>> = const { RefCell::new(None) };
    }
    let issuer = state.config.issuer.as_str();
    let body = CACHED.with_borrow_mut(|cached| match cached {
        Some((i, body)) if i == issuer => body.clone(),
        _ => {
            let body =
                Bytes::from(serde_json::to_vec(&discovery::metadata(issuer)).unwrap_or_default());
            *cached = Some((issuer.to_owned(), body.clone()));
            body
        }
    });
    public_json(body, HeaderValue::from_static("public, max-age=3600"))
}

/// The key set serializes its JWKS once, when it is loaded.
pub async fn jwks(State(state): State<AppState>) -> Response {
    // Short cache: after a rotation portals must see the new key soon.
    let body = Bytes::from_owner(state.keys().jwks_json());
    public_json(body, HeaderValue::from_static("public, max-age=300"))
}

fn public_json(body: Bytes, cache_control: HeaderValue) -> Response {
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    // Room for these, content-length and the four security headers at once: growing the
    // map on the way out rehashes it (1 k instructions of a 30 k discovery request).
    h.reserve(8);
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, cache_control);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

/// Ready when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Result<Response, AppError> {
    state.store.ping().await?;
    Ok((StatusCode::OK, "ok").into_response())
}

pub async fn metrics_text() -> Response {
    match metrics::handle() {
        Some(h) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            h.render(),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder unavailable",
        )
            .into_response(),
    }
}
