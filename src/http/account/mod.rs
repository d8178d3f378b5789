//! The citizen's own pages: registration, sign-in outside a portal's flow, the cabinet
//! (personal data, contacts, identity confirmation) and access recovery. Forms carry a
//! double-submit CSRF token; multi-step flows are bound to the browser by a cookie whose
//! hash is kept with the one-time code.

pub mod cabinet;
mod codeflow;
mod contact;
pub mod csrf;
pub mod devices;
pub mod password_change;
mod password_step;
mod personal;
pub mod recover;
pub mod register;
pub mod security;
pub mod sessions;
pub mod signin;

use super::pages;
use crate::error::AppError;
use crate::views::{Locale, NoticePage};
use axum::http::StatusCode;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

pub use contact::{contact_code, contact_resend, contact_show, contact_start};
pub use personal::{POSTAL_DIGITS, postal_code, submit_personal};

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub interaction: Option<String>,
    pub code: Option<String>,
    pub done: Option<String>,
}

/// Where a finished registration or recovery goes: back into the portal's paused
/// authorization (only an interaction id, never a free URL: no open redirect), or the
/// cabinet.
pub fn return_to(interaction: Option<&str>, done: &str) -> String {
    match interaction.filter(|i| is_token(i)) {
        Some(uid) => format!("/authorize/{uid}"),
        None => format!("/cabinet?done={done}"),
    }
}

/// A random id as we mint them: base64url characters only.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The page language with the `?lang=` switch remembered in a cookie.
pub fn locale_with_switch(
    state: &crate::state::AppState,
    jar: CookieJar,
    lang: Option<&str>,
) -> (Locale, CookieJar) {
    match lang.and_then(Locale::from_ui_locales) {
        Some(l) => {
            let jar = jar.add(super::cookies::build(
                state,
                super::cookies::LANG.to_owned(),
                l.code().to_owned(),
                Some(365 * 24 * 3600),
            ));
            (l, jar)
        }
        None => (pages::locale(None, &jar), jar),
    }
}

/// `?lang=` link to the same page in the other language.
pub fn switch_url(path: &str, l: Locale) -> String {
    let other = match l {
        Locale::Ru => "en",
        Locale::En => "ru",
    };
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}lang={other}")
}

pub fn notice(
    l: Locale,
    status: StatusCode,
    heading: &str,
    text: &str,
    alert: bool,
    links: Vec<(String, &'static str)>,
) -> Result<Response, AppError> {
    let page = NoticePage {
        t: l.texts(),
        lang: l.code(),
        heading,
        text,
        alert,
        links,
    };
    pages::html(status, &page, &[])
}

/// The flow is unknown, expired, used, or belongs to another browser.
pub fn flow_gone(l: Locale) -> Result<Response, AppError> {
    notice(
        l,
        StatusCode::BAD_REQUEST,
        l.texts().error_heading,
        l.t("err_code_expired"),
        true,
        vec![("/signin".into(), l.t("login_link"))],
    )
}

/// A form whose CSRF token does not match.
pub fn forbidden(l: Locale) -> Response {
    pages::error(
        l,
        StatusCode::FORBIDDEN,
        pages::Problem::InteractionExpired,
        "invalid_csrf",
    )
}

/// A code flow for another module (the second factor): start it, send the code.
#[expect(clippy::too_many_arguments, reason = "the flow's parts")]
pub async fn start_code_flow(
    state: &crate::state::AppState,
    jar: CookieJar,
    purpose: &'static str,
    account_id: Option<&str>,
    address: crate::notify::Address,
    payload: serde_json::Value,
    locale: Locale,
    page_prefix: &'static str,
) -> Result<(String, CookieJar), AppError> {
    codeflow::start(
        state,
        jar,
        codeflow::NewFlow {
            purpose,
            account_id,
            address: Some(address),
            payload,
            locale,
            page_prefix,
        },
    )
    .await
}

pub async fn load_code_flow(
    state: &crate::state::AppState,
    jar: &CookieJar,
    id: &str,
    purpose: &str,
) -> Result<Option<crate::store::codes::CodeRow>, AppError> {
    codeflow::load(state, jar, id, purpose).await
}

/// Whether the typed code confirms the flow (the attempt is counted either way).
pub async fn check_code(
    state: &crate::state::AppState,
    row: &crate::store::codes::CodeRow,
    typed: &str,
) -> Result<bool, AppError> {
    Ok(matches!(
        codeflow::check(state, row, typed).await?,
        codeflow::Checked::Confirmed
    ))
}
