//! Turning view structs into responses: the language, the page's own CSP, and the
//! HTML error page used when a request cannot be answered by redirect.

use super::cookies;
use crate::error::AppError;
use crate::views::{self, ErrorPage, Locale, Texts};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

/// The citizen's own choice (the language switch sets a cookie) first, then the
/// portal's `ui_locales`, then Russian.
pub fn locale(ui_locales: Option<&str>, jar: &CookieJar) -> Locale {
    cookies::value(jar, cookies::LANG)
        .and_then(Locale::from_ui_locales)
        .or_else(|| ui_locales.and_then(Locale::from_ui_locales))
        .unwrap_or_default()
}

/// Content-Security-Policy of a page: nothing but inline styles, no framing; forms may
/// post to us and the browser may follow the resulting redirect to `form_targets`
/// (Chrome applies `form-action` to redirects after a form post). Our own scripts may
/// call back to us (`connect-src 'self'`: the passkey ceremonies post JSON with fetch).
pub fn csp(form_targets: &[String]) -> String {
    let mut targets = String::from("'self'");
    for t in form_targets {
        targets.push(' ');
        targets.push_str(t);
    }
    format!(
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action {targets}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The origin (`scheme://host:port`) of a URL, for CSP lists.
pub fn origin(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
}

pub fn html<T: askama::Template>(
    status: StatusCode,
    page: &T,
    form_targets: &[String],
) -> Result<Response, AppError> {
    let body = views::render(page)?;
    let mut resp = (status, Html(body)).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp(form_targets)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// What went wrong, for the error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    UnknownClient,
    UnregisteredRedirectUri,
    InvalidRequest,
    InteractionExpired,
    UnregisteredLogoutRedirectUri,
}

impl Problem {
    fn texts(self, t: &'static Texts) -> (&'static str, &'static str) {
        match self {
            Self::UnknownClient => (t.error_heading, t.error_unknown_client),
            Self::UnregisteredRedirectUri => (t.error_heading, t.error_redirect_uri),
            Self::InvalidRequest => (t.error_heading, t.error_invalid_request),
            Self::InteractionExpired => (t.error_heading, t.error_interaction_expired),
            Self::UnregisteredLogoutRedirectUri => (t.error_heading, t.error_logout_redirect_uri),
        }
    }
}

/// An error page for what cannot go back to the portal.
pub fn error(locale: Locale, status: StatusCode, problem: Problem, code: &str) -> Response {
    let t = locale.texts();
    let (heading, message) = problem.texts(t);
    let page = ErrorPage {
        t,
        lang: locale.code(),
        heading,
        message,
        code,
    };
    match html(status, &page, &[]) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
