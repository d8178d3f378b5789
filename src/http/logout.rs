//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): `GET|POST /logout`
//! and the confirmation `POST /logout/confirm`.
//! - A valid `id_token_hint` for the browser's own session logs out at once.
//! - Otherwise the citizen confirms on a page (a cross-site link must not be able to
//!   end a session silently).
//! - `post_logout_redirect_uri` is followed only when registered, exactly, for the
//!   portal named by the hint or `client_id`; any doubt shows a page instead.

use super::flow::verify_hint;
use super::oauth_response::{redirect, with_query};
use super::pages::{self, Problem};
use super::params::{parse_urlencoded, query_or_form};
use super::{cookies, session};
use crate::error::AppError;
use crate::oidc::Params;
use crate::secret::{constant_time_eq, random_b64};
use crate::state::AppState;
use crate::views::{LoggedOutPage, LogoutConfirmPage};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

/// A checked logout request.
struct Logout {
    /// Where to send the browser afterwards, with `state` appended.
    target: Option<String>,
    /// `sub` and `sid` of a valid hint.
    hint: Option<(String, Option<String>)>,
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let locale = pages::locale(None, &jar);
    let Ok(params) = query_or_form(&method, query.as_deref(), &headers, &body) else {
        return Ok(pages::error(
            locale,
            StatusCode::BAD_REQUEST,
            Problem::InvalidRequest,
            "invalid_request",
        ));
    };
    let locale = pages::locale(params.get("ui_locales"), &jar);
    let checked = match check(&state, &params).await? {
        Ok(c) => c,
        Err(problem) => {
            return Ok(pages::error(
                locale,
                StatusCode::BAD_REQUEST,
                problem,
                "invalid_request",
            ));
        }
    };
    let Some(current) = session::current(&state, &jar).await? else {
        return done(jar, &checked, locale);
    };
    let hint_matches = checked.hint.as_ref().is_some_and(|(sub, sid)| {
        *sub == current.account_id && sid.as_ref().is_none_or(|s| *s == current.id)
    });
    if hint_matches {
        let jar = session::end(&state, jar, &current).await?;
        tracing::info!(account = %current.account_id, "logout");
        return done(jar, &checked, locale);
    }
    // Ask first. The CSRF token is double-submitted: a cookie and a form field.
    let csrf = random_b64(32);
    let jar = jar.add(cookies::build(
        &state,
        cookies::LOGOUT_CSRF.to_owned(),
        csrf.clone(),
        Some(600),
    ));
    let mut hidden = Vec::new();
    for name in [
        "id_token_hint",
        "post_logout_redirect_uri",
        "state",
        "client_id",
        "ui_locales",
    ] {
        if let Some(v) = params.get(name) {
            hidden.push((name, v.to_owned()));
        }
    }
    let t = locale.texts();
    let page = LogoutConfirmPage {
        t,
        lang: locale.code(),
        action: "/logout/confirm",
        csrf: &csrf,
        hidden,
    };
    let targets: Vec<String> = checked
        .target
        .as_deref()
        .and_then(pages::origin)
        .into_iter()
        .collect();
    Ok((jar, pages::html(StatusCode::OK, &page, &targets)?).into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = parse_urlencoded(&body).unwrap_or_default();
    let locale = pages::locale(params.get("ui_locales"), &jar);
    let csrf_ok = match (
        params.get("csrf"),
        cookies::value(&jar, cookies::LOGOUT_CSRF),
    ) {
        (Some(a), Some(b)) => constant_time_eq(a, b),
        _ => false,
    };
    if !csrf_ok || params.get("logout") != Some("yes") {
        return Ok(pages::error(
            locale,
            StatusCode::FORBIDDEN,
            Problem::InteractionExpired,
            "invalid_csrf",
        ));
    }
    let checked = match check(&state, &params).await? {
        Ok(c) => c,
        Err(problem) => {
            return Ok(pages::error(
                locale,
                StatusCode::BAD_REQUEST,
                problem,
                "invalid_request",
            ));
        }
    };
    let mut jar = jar.add(cookies::removal(&state, cookies::LOGOUT_CSRF.to_owned()));
    if let Some(current) = session::current(&state, &jar).await? {
        jar = session::end(&state, jar, &current).await?;
        tracing::info!(account = %current.account_id, "logout");
    }
    done(jar, &checked, locale)
}

/// Validate hint, client and redirect target. Errors are pages, never redirects.
async fn check(state: &AppState, p: &Params) -> Result<Result<Logout, Problem>, AppError> {
    let hint = match p.get("id_token_hint") {
        Some(h) => match verify_hint(state, h, None) {
            Ok(c) => Some(c),
            Err(_) => return Ok(Err(Problem::InvalidRequest)),
        },
        None => None,
    };
    let client_id = match (
        p.get("client_id"),
        hint.as_ref().and_then(|h| h.aud.first()),
    ) {
        (Some(c), Some(_)) if !hint.as_ref().is_some_and(|h| h.aud.contains(c)) => {
            return Ok(Err(Problem::InvalidRequest));
        }
        (Some(c), _) => Some(c.to_owned()),
        (None, from_hint) => from_hint.map(str::to_owned),
    };
    let target = match p.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) => {
            let Some(id) = client_id else {
                return Ok(Err(Problem::UnregisteredLogoutRedirectUri));
            };
            let Some(client) = state.store.active_client(&id).await? else {
                return Ok(Err(Problem::UnknownClient));
            };
            if !client.post_logout_redirect_uris.iter().any(|r| r == uri) {
                return Ok(Err(Problem::UnregisteredLogoutRedirectUri));
            }
            Some(match p.get("state") {
                Some(s) => with_query(uri, &[("state", s)]),
                None => uri.to_owned(),
            })
        }
    };
    Ok(Ok(Logout {
        target,
        hint: hint.map(|h| (h.sub, h.sid)),
    }))
}

fn done(jar: CookieJar, l: &Logout, locale: crate::views::Locale) -> Result<Response, AppError> {
    if let Some(t) = &l.target {
        return Ok((jar, redirect(t)).into_response());
    }
    let page = LoggedOutPage {
        t: locale.texts(),
        lang: locale.code(),
    };
    Ok((jar, pages::html(StatusCode::OK, &page, &[])?).into_response())
}
