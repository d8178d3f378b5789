//! What a management operation can answer besides success. Bad input names each bad
//! field; internal failures keep their cause for the log. `http/admin/problem.rs` maps
//! these to RFC 9457 problem documents, the CLI to messages naming its options.

use crate::error::AppError;
use crate::store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One bad field: `redirect_uris[1]`, `access_token_ttl`, `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request is well-formed but its values break the rules (422).
    #[error("invalid input: {}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The state forbids it: an identifier already taken, an account already blocked.
    #[error("{detail}")]
    Conflict {
        field: Option<String>,
        detail: String,
    },
    #[error("this call needs a role that may run {operation}")]
    Forbidden { operation: &'static str },
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl AdminError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AdminError {
        AdminError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn conflict(detail: impl Into<String>) -> AdminError {
        AdminError::Conflict {
            field: None,
            detail: detail.into(),
        }
    }
}

impl From<StoreError> for AdminError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(field) => AdminError::Conflict {
                field: Some(field.to_owned()),
                detail: format!("{field} is already taken"),
            },
            other => AdminError::Internal(other.into()),
        }
    }
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Collects field errors, so one answer names every bad field at once.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn finish(self) -> Result<(), AdminError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AdminError::Invalid(self.0))
        }
    }
}

/// Free text an operator types (a reason, a document): trimmed, 1 to `max` characters,
/// no control characters.
pub fn text_field(checks: &mut Checks, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        checks.fail(field, "must not be empty");
    } else if v.chars().count() > max {
        checks.fail(field, format!("at most {max} characters"));
    } else if v.chars().any(char::is_control) {
        checks.fail(field, "must not contain control characters");
    }
    v.to_owned()
}
