//! Reading the management API's input with our own rejections (DESIGN.md: own the
//! extractor rejection): a JSON body that is not JSON is 400, one of another media type
//! 415, one with a wrong value 422 naming the field's path (`redirect_uris[2]`). Bodies
//! and queries are parsed by the handler after the role check, so a caller without the
//! role learns nothing about the input rules.

use super::problem::ProblemResponse;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use serde::de::DeserializeOwned;

/// The JSON body; an empty body counts as `{}` (actions whose fields are all optional).
pub fn json<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, ProblemResponse> {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    if !empty && !is_json(headers) {
        return Err(ProblemResponse::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as application/json",
        ));
    }
    let bytes: &[u8] = if empty { b"{}" } else { body };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." { "body".to_owned() } else { path };
            ProblemResponse::invalid(&field, inner.to_string())
        } else {
            ProblemResponse::malformed(format!("the body is not valid JSON: {inner}"))
        }
    })?;
    de.end()
        .map_err(|e| ProblemResponse::malformed(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .is_some_and(|m| {
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// The query string as `T` (all-optional string fields; the operation checks values).
pub fn query<T: DeserializeOwned + Default>(uri: &Uri) -> Result<T, ProblemResponse> {
    let Some(q) = uri.query().filter(|q| !q.is_empty()) else {
        return Ok(T::default());
    };
    axum::extract::Query::<T>::try_from_uri(uri)
        .map(|v| v.0)
        .map_err(|e| {
            tracing::debug!(query = %q, "bad query string");
            ProblemResponse::invalid("query", e.body_text())
        })
}

/// Path parameters; an undecodable one (invalid percent-encoding) is 400.
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ProblemResponse;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(PathParams(v)),
            Err(e) => Err(ProblemResponse::malformed(e.body_text())),
        }
    }
}
