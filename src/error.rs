//! Internal failures: logged with their cause, shown to the caller only as a 500/503.

use crate::keys::KeyError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("keys: {0}")]
    Keys(#[from] KeyError),
    #[error("password hashing: {0}")]
    Password(#[from] crate::authn::password::PasswordError),
    #[error("rendering: {0}")]
    Render(#[from] askama::Error),
    #[error("notify: {0}")]
    Notify(#[from] crate::notify::NotifyError),
    #[error("verifier: {0}")]
    Verify(#[from] crate::verify::VerifyError),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Store(StoreError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "request failed");
        let status = self.status();
        let body = if status == StatusCode::SERVICE_UNAVAILABLE {
            "service temporarily unavailable"
        } else {
            "internal server error"
        };
        (
            status,
            [(axum::http::header::CACHE_CONTROL, "no-store")],
            body,
        )
            .into_response()
    }
}
