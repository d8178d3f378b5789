//! Reading request parameters ourselves, so a malformed or repeated parameter becomes a
//! protocol error (DESIGN.md principle 5), never axum's plain-text rejection.

use crate::oidc::Params;
use crate::oidc::params::Repeated;
use axum::http::{HeaderMap, Method, header};

/// `application/x-www-form-urlencoded` pairs.
pub fn parse_urlencoded(raw: &[u8]) -> Result<Params, Repeated> {
    Params::from_pairs(url::form_urlencoded::parse(raw).into_owned())
}

/// Why parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    Repeated(String),
    WrongContentType,
}

impl ParamError {
    pub fn description(&self) -> String {
        match self {
            Self::Repeated(name) => format!("parameter {name} was sent more than once"),
            Self::WrongContentType => {
                "the body must be application/x-www-form-urlencoded".to_owned()
            }
        }
    }
}

pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The body of a POST that must be a form (token, introspection, revocation).
pub fn form_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, ParamError> {
    if !is_form(headers) {
        return Err(ParamError::WrongContentType);
    }
    parse_urlencoded(body).map_err(|Repeated(n)| ParamError::Repeated(n))
}

/// Parameters of an endpoint that accepts both GET (query) and POST (form), such as
/// /authorize and /logout (OIDC Core §3.1.2.1).
pub fn query_or_form(
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, ParamError> {
    if *method == Method::POST {
        form_body(headers, body)
    } else {
        parse_urlencoded(query.unwrap_or("").as_bytes())
            .map_err(|Repeated(n)| ParamError::Repeated(n))
    }
}
