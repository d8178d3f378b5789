//! Logging in to propusk itself (the cabinet), outside any portal's authorization
//! flow, and logging out of it. The same password check as the interaction's login.

use super::{PageQuery, csrf, locale_with_switch, switch_url};
use crate::account::login_candidates;
use crate::authn::password::Password;
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::params::parse_urlencoded;
use crate::http::session::{self, NewSession};
use crate::http::{metrics, pages};
use crate::oidc::claims::trust_level;
use crate::state::AppState;
use crate::views::{Locale, LoginPage};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let (l, jar) = locale_with_switch(&state, jar, q.lang.as_deref());
    if session::current(&state, &jar).await?.is_some() {
        return Ok((jar, redirect("/cabinet")).into_response());
    }
    let (token, jar) = csrf::token(&state, jar);
    let page = page(l, &token, "", None, StatusCode::OK)?;
    Ok((jar, page).into_response())
}

fn page(
    l: Locale,
    csrf: &str,
    login: &str,
    error: Option<(&'static str, Option<&'static str>)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let t = l.texts();
    let p = LoginPage {
        t,
        lang: l.code(),
        action: "/signin",
        csrf,
        login,
        error: error.map(|e| e.0),
        error_field: error.and_then(|e| e.1),
        client_name: "",
        switch_url: &switch_url("/signin", l),
        lc: l,
        register_url: "/register",
        recover_url: "/recover",
        certificate_url: None,
    };
    pages::html(status, &p, &[])
}

/// `POST /signin`.
pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    crate::http::peer::Peer(peer): crate::http::peer::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let t = l.texts();
    let (token, jar) = csrf::token(&state, jar);
    let typed = form.get("login").unwrap_or("").trim();
    let password = Password::new(form.get("password").unwrap_or("").to_owned());
    let Ok(candidates) = login_candidates(typed) else {
        let p = page(
            l,
            &token,
            typed,
            Some((t.error_login_field, Some("login"))),
            StatusCode::BAD_REQUEST,
        )?;
        return Ok((jar, p).into_response());
    };
    if password.expose().is_empty() {
        let p = page(
            l,
            &token,
            typed,
            Some((t.error_password_empty, Some("password"))),
            StatusCode::BAD_REQUEST,
        )?;
        return Ok((jar, p).into_response());
    }
    let ctx = crate::http::password_login::Context {
        ip: peer.map(|p| p.ip().to_string()),
        user_agent: super::register::user_agent(&headers),
    };
    let account =
        match crate::http::password_login::check(&state, &candidates, &password, &ctx).await? {
            crate::http::password_login::Outcome::Accepted(a) => *a,
            crate::http::password_login::Outcome::Invalid => {
                metrics::login("failure");
                let p = page(
                    l,
                    &token,
                    typed,
                    Some((t.error_invalid_credentials, None)),
                    StatusCode::UNAUTHORIZED,
                )?;
                return Ok((jar, p).into_response());
            }
            crate::http::password_login::Outcome::Locked(_) => {
                metrics::login("locked");
                let p = page(
                    l,
                    &token,
                    typed,
                    Some((l.t("error_locked"), None)),
                    StatusCode::TOO_MANY_REQUESTS,
                )?;
                return Ok((jar, p).into_response());
            }
        };
    metrics::login("success");
    let previous = session::current(&state, &jar).await?;
    let (_, jar) = session::start(
        &state,
        jar,
        previous.as_ref(),
        NewSession {
            account_id: &account.id,
            amr: vec!["pwd".into()],
            acr: trust_level(&account).acr().to_owned(),
            user_agent: ctx.user_agent.clone(),
            ip: ctx.ip.clone(),
        },
    )
    .await?;
    Ok((jar, redirect("/cabinet")).into_response())
}

/// `POST /signout`: end this browser's session.
pub async fn signout(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let jar = match session::current(&state, &jar).await? {
        Some(s) => session::end(&state, jar, &s).await?,
        None => jar,
    };
    Ok((jar, redirect("/signin")).into_response())
}
