//! Discovery, JWKS, health and metrics.

use super::metrics;
use crate::error::AppError;
use crate::oidc::discovery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn discovery(State(state): State<AppState>) -> Response {
    public_json(discovery::metadata(&state.config.issuer), 3600)
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    // Short cache: after a rotation portals must see the new key soon.
    public_json(state.keys().jwks(), 300)
}

fn public_json(body: serde_json::Value, max_age: u32) -> Response {
    let mut resp = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        resp.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    resp.headers_mut().insert(
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
