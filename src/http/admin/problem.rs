//! Errors of the management API as RFC 9457 problem documents
//! (`application/problem+json`), the one place that maps [`AdminError`] to HTTP. Bad
//! input is never a 500: every parser of the API answers 400, 415 or 422 through here,
//! with the bad fields named in `errors`.

use crate::admin::{AdminError, FieldError};
use crate::error::AppError;
use crate::store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// `urn:propusk:problem:<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields at fault (bad input, a taken identifier); empty otherwise.
    pub errors: Vec<FieldError>,
}

/// A problem on its way out, with the headers it needs.
#[derive(Debug)]
pub struct ProblemResponse {
    status: StatusCode,
    /// Boxed: handlers return `Result<_, ProblemResponse>`, and the error stays small.
    body: Box<Problem>,
    www_authenticate: Option<&'static str>,
}

impl ProblemResponse {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        ProblemResponse {
            status,
            body: Box::new(Problem {
                kind: format!("urn:propusk:problem:{kind}"),
                title: status.canonical_reason().unwrap_or("Error").to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                errors: Vec::new(),
            }),
            www_authenticate: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.body.errors = errors;
        self
    }

    /// RFC 6750 §3: no token, or one that is not (or no longer) valid.
    pub fn unauthorized(detail: &str) -> Self {
        let mut p = Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail);
        p.www_authenticate = Some(r#"Bearer realm="propusk-admin", error="invalid_token""#);
        p
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed", detail)
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AdminError::field(field, message).into()
    }
}

impl From<AdminError> for ProblemResponse {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", detail)
                    .with_errors(errors)
            }
            AdminError::NotFound(what) => Self::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("no such {what}"),
            ),
            AdminError::Conflict { field, detail } => {
                let errors = field
                    .map(|f| {
                        vec![FieldError {
                            field: f,
                            message: detail.clone(),
                        }]
                    })
                    .unwrap_or_default();
                Self::new(StatusCode::CONFLICT, "conflict", detail).with_errors(errors)
            }
            AdminError::Forbidden { operation } => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("the caller's roles do not allow {operation}"),
            ),
            AdminError::Internal(e) => internal(&e),
        }
    }
}

fn internal(e: &AppError) -> ProblemResponse {
    tracing::error!(error = %e, "management call failed");
    match e {
        AppError::Store(StoreError::Unavailable(_)) => ProblemResponse::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the database is unavailable; try again",
        ),
        AppError::Notify(_) => ProblemResponse::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the message could not be delivered; try again",
        ),
        _ => ProblemResponse::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        ),
    }
}

impl From<AppError> for ProblemResponse {
    fn from(e: AppError) -> Self {
        internal(&e)
    }
}

impl From<StoreError> for ProblemResponse {
    fn from(e: StoreError) -> Self {
        internal(&AppError::Store(e))
    }
}

impl IntoResponse for ProblemResponse {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(*self.body)).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(v) = self.www_authenticate {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
        }
        resp
    }
}

/// Problem responses for the OpenAPI document, by status.
fn responses(list: &[(&str, &str)]) -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
    list.iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content(CONTENT_TYPE, content)
                .build();
            ((*status).to_owned(), RefOr::T(response))
        })
        .collect()
}

macro_rules! problem_set {
    ($(#[$doc:meta])* $name:ident: $(($status:literal, $description:literal)),+ $(,)?) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                responses(&[$(($status, $description)),+])
            }
        }
    };
}

problem_set!(
    /// Every operation: no valid token, or a role that may not run it.
    AuthProblems:
    ("401", "No valid access token"),
    ("403", "The caller's roles do not allow this operation; the refusal is journaled"),
);
problem_set!(
    /// Operations on one identified resource.
    NotFoundProblem: ("404", "No such resource"),
);
problem_set!(
    /// Operations with a JSON body.
    BodyProblems:
    ("400", "The body is not JSON"),
    ("415", "The body is not application/json"),
    ("422", "Invalid values; `errors` names each bad field"),
);
problem_set!(
    /// Operations with query parameters.
    QueryProblems: ("422", "Invalid parameters; `errors` names each bad one"),
);
problem_set!(
    /// Operations the current state may forbid.
    ConflictProblem: ("409", "Conflicts with the current state (an identifier already taken …)"),
);
