//! The hosted pages of an interaction: login and consent. They authenticate the
//! citizen and record the outcome; they never mint tokens (`/authorize/{uid}` does).

use super::flow::{self, Flow};
use super::oauth_response::redirect;
use super::pages::{self, Problem};
use super::params::parse_urlencoded;
use super::session::{self, NewSession};
use super::{cookies, metrics};
use crate::account::login_candidates;
use crate::authn::password::Password;
use crate::error::AppError;
use crate::oidc::claims::{full_name, trust_level};
use crate::oidc::decision::{Decision, Stage};
use crate::oidc::scope;
use crate::secret::constant_time_eq;
use crate::state::AppState;
use crate::views::{ConsentPage, Locale, LoginPage};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// `GET /interaction/{uid}`: show whichever page the flow needs now.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    // The language switch: remember the explicit choice in a cookie.
    let jar = match q.lang.as_deref().and_then(Locale::from_ui_locales) {
        Some(l) => jar.add(cookies::build(
            &state,
            cookies::LANG.to_owned(),
            l.code().to_owned(),
            Some(365 * 24 * 3600),
        )),
        None => jar,
    };
    let flow = match flow::load(&state, &jar, &uid).await? {
        Ok(f) => f,
        Err(page) => return Ok(*page),
    };
    let page = match flow.decide(&state).await? {
        Decision::Interact(Stage::Login) => {
            let prefill = flow.req.login_hint.clone().unwrap_or_default();
            login_page(&state, &jar, &flow, &prefill, None, StatusCode::OK)?
        }
        Decision::Interact(Stage::Consent) => consent_page(&state, &jar, &flow).await?,
        Decision::Interact(Stage::Level) => level_page(&state, &jar, &flow).await?,
        Decision::Interact(Stage::SecondFactor) => redirect(&format!("/factor?interaction={uid}")),
        Decision::Issue | Decision::Fail(_) => redirect(&format!("/authorize/{uid}")),
    };
    Ok((jar, page).into_response())
}

/// `POST /interaction/{uid}/login`: check the password, start a session.
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    super::peer::Peer(peer): super::peer::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (flow, form) = match posted(&state, &jar, &uid, &body).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let typed = form.get("login").unwrap_or("").trim();
    let password = Password::new(form.get("password").unwrap_or("").to_owned());
    if typed.is_empty() {
        return login_page(
            &state,
            &jar,
            &flow,
            typed,
            Some(LoginError::LoginMissing),
            StatusCode::BAD_REQUEST,
        );
    }
    let Ok(candidates) = login_candidates(typed) else {
        return login_page(
            &state,
            &jar,
            &flow,
            typed,
            Some(LoginError::LoginUnrecognised),
            StatusCode::BAD_REQUEST,
        );
    };
    if password.expose().is_empty() {
        return login_page(
            &state,
            &jar,
            &flow,
            typed,
            Some(LoginError::PasswordMissing),
            StatusCode::BAD_REQUEST,
        );
    }
    let ctx = super::password_login::Context {
        ip: peer.map(|p| p.ip().to_string()),
        user_agent: header_str(&headers, header::USER_AGENT),
    };
    let account = match super::password_login::check(&state, &candidates, &password, &ctx).await? {
        super::password_login::Outcome::Accepted(a) => *a,
        super::password_login::Outcome::Invalid => {
            metrics::login("failure");
            tracing::info!(interaction = %uid, "login failed");
            return login_page(
                &state,
                &jar,
                &flow,
                typed,
                Some(LoginError::Invalid),
                StatusCode::UNAUTHORIZED,
            );
        }
        super::password_login::Outcome::Locked(_) => {
            metrics::login("locked");
            return login_page(
                &state,
                &jar,
                &flow,
                typed,
                Some(LoginError::Locked),
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    };
    metrics::login("success");
    tracing::info!(account = %account.id, interaction = %uid, "login");
    let jar = session::start_for_interaction(
        &state,
        jar,
        flow.session.as_ref(),
        NewSession {
            account_id: &account.id,
            amr: vec!["pwd".to_owned()],
            acr: trust_level(&account).acr().to_owned(),
            user_agent: ctx.user_agent.clone(),
            ip: ctx.ip.clone(),
        },
        &uid,
    )
    .await?;
    Ok((jar, redirect(&format!("/authorize/{uid}"))).into_response())
}

/// `POST /interaction/{uid}/consent`: allow (remembered per portal) or deny.
pub async fn consent(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (flow, form) = match posted(&state, &jar, &uid, &body).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let Some(session) = &flow.session else {
        // The session ended meanwhile: back to the flow, which will ask for a login.
        return Ok(redirect(&format!("/authorize/{uid}")));
    };
    if form.get("decision") != Some("allow") {
        return deny(&state, jar, &uid, &flow, "the citizen declined").await;
    }
    let mut scopes = flow.granted.clone().unwrap_or_default();
    // Consent only to what the code will carry: not to a role the account lacks.
    let asked = super::flow::held_scopes(&state, &session.account_id, &flow.req.scopes).await?;
    for s in asked.iter().filter(|s| scope::needs_consent(s)) {
        if !scopes.iter().any(|g| g == s) {
            scopes.push(s.to_owned());
        }
    }
    state
        .store
        .upsert_consent(&crate::store::records::ConsentRecord {
            account_id: session.account_id.clone(),
            client_id: flow.client.id.clone(),
            scopes,
            granted_at: state.now(),
        })
        .await?;
    state.store.set_interaction_consent(&uid).await?;
    Ok(redirect(&format!("/authorize/{uid}")))
}

/// `POST /interaction/{uid}/abort`: the citizen gives up (the level page's "back to
/// the portal"); the portal gets `access_denied`.
pub async fn abort(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (flow, _) = match posted(&state, &jar, &uid, &body).await? {
        Ok(ok) => ok,
        Err(page) => return Ok(page),
    };
    let why = match flow.decide(&state).await? {
        Decision::Interact(Stage::Level) => {
            "the account's trust level is below the portal's minimum"
        }
        _ => "the citizen cancelled",
    };
    deny(&state, jar, &uid, &flow, why).await
}

/// End the interaction and send `access_denied` to the portal.
async fn deny(
    state: &AppState,
    jar: CookieJar,
    uid: &str,
    flow: &Flow,
    why: &'static str,
) -> Result<Response, AppError> {
    let err = crate::oidc::OAuthError::new(crate::oidc::ErrorCode::AccessDenied, why);
    state.store.take_interaction(uid).await?;
    let jar = jar.add(cookies::removal(state, cookies::interaction_name(uid)));
    let resp = super::oauth_response::redirect_error(
        &flow.req.redirect_uri,
        &err,
        flow.req.state.as_deref(),
        &state.config.issuer,
    );
    Ok((jar, resp).into_response())
}

/// Why the citizen cannot continue to this portal, and how to raise the level.
async fn level_page(state: &AppState, jar: &CookieJar, flow: &Flow) -> Result<Response, AppError> {
    let l = pages::locale(flow.req.ui_locales.as_deref(), jar);
    let current = match &flow.session {
        Some(s) => state
            .store
            .account(&s.account_id)
            .await?
            .map(|a| trust_level(&a)),
        None => None,
    }
    .unwrap_or(crate::account::TrustLevel::Simplified);
    let required = flow.required_level();
    let how = if current < crate::account::TrustLevel::Standard {
        l.t("level_how_standard")
    } else {
        l.t("level_how_confirmed")
    };
    let action = format!("/interaction/{}/abort", interaction_id(flow));
    let page = crate::views::LevelPage {
        t: l.texts(),
        lang: l.code(),
        l,
        client_name: &flow.client.name,
        required: super::account::cabinet::level_text(required, l),
        current: super::account::cabinet::level_text(current, l),
        how,
        action: &action,
        csrf: csrf(flow),
    };
    pages::html(StatusCode::OK, &page, &form_targets(flow))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoginError {
    LoginMissing,
    LoginUnrecognised,
    PasswordMissing,
    Invalid,
    Locked,
}

fn login_page(
    state: &AppState,
    jar: &CookieJar,
    flow: &Flow,
    prefill: &str,
    error: Option<LoginError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let locale = pages::locale(flow.req.ui_locales.as_deref(), jar);
    let t = locale.texts();
    let uid = interaction_id(flow);
    let (error, error_field) = match error {
        None => (None, None),
        Some(LoginError::LoginMissing | LoginError::LoginUnrecognised) => {
            (Some(t.error_login_field), Some("login"))
        }
        Some(LoginError::PasswordMissing) => (Some(t.error_password_empty), Some("password")),
        Some(LoginError::Invalid) => (Some(t.error_invalid_credentials), None),
        Some(LoginError::Locked) => (Some(locale.t("error_locked")), None),
    };
    let action = format!("/interaction/{uid}/login");
    let switch_url = format!("/interaction/{uid}?lang={}", other(locale).code());
    let register_url = format!("/register?interaction={uid}");
    let recover_url = format!("/recover?interaction={uid}");
    let certificate_url = state
        .config
        .certificate_origin()
        .map(|o| format!("{o}/interaction/{uid}/certificate"));
    let page = LoginPage {
        t,
        lang: locale.code(),
        action: &action,
        csrf: csrf(flow),
        login: prefill,
        error,
        error_field,
        client_name: &flow.client.name,
        switch_url: &switch_url,
        lc: locale,
        register_url: &register_url,
        recover_url: &recover_url,
        certificate_url: certificate_url.as_deref(),
    };
    pages::html(status, &page, &form_targets(flow))
}

async fn consent_page(
    state: &AppState,
    jar: &CookieJar,
    flow: &Flow,
) -> Result<Response, AppError> {
    let locale = pages::locale(flow.req.ui_locales.as_deref(), jar);
    let t = locale.texts();
    let uid = interaction_id(flow);
    let account_name = match &flow.session {
        Some(s) => state
            .store
            .account(&s.account_id)
            .await?
            .map(|a| full_name(&a))
            .unwrap_or_default(),
        None => String::new(),
    };
    // `phone`/`mobile` and `profile`/`fullname` describe the same data: list it once.
    // A role scope the account does not hold is dropped from the code: not shown either.
    let asked = match &flow.session {
        Some(s) => super::flow::held_scopes(state, &s.account_id, &flow.req.scopes).await?,
        None => flow.req.scopes.clone(),
    };
    let mut scopes: Vec<&'static str> = Vec::new();
    for d in asked.iter().filter_map(|s| t.scope_description(s)) {
        if !scopes.contains(&d) {
            scopes.push(d);
        }
    }
    let action = format!("/interaction/{uid}/consent");
    let switch_url = format!("/interaction/{uid}?lang={}", other(locale).code());
    let page = ConsentPage {
        t,
        lang: locale.code(),
        action: &action,
        csrf: csrf(flow),
        client_name: &flow.client.name,
        account_name: &account_name,
        scopes,
        switch_url: &switch_url,
    };
    pages::html(StatusCode::OK, &page, &form_targets(flow))
}

/// A form posted to an interaction: the flow must still be there for this browser
/// and the CSRF token must match.
async fn posted(
    state: &AppState,
    jar: &CookieJar,
    uid: &str,
    body: &[u8],
) -> Result<Result<(Flow, crate::oidc::Params), Response>, AppError> {
    let flow = match flow::load(state, jar, uid).await? {
        Ok(f) => f,
        Err(page) => return Ok(Err(*page)),
    };
    let form = parse_urlencoded(body).unwrap_or_default();
    if !csrf_ok(&flow, form.get("csrf")) {
        return Ok(Err(expired_form(jar, &flow)));
    }
    Ok(Ok((flow, form)))
}

fn interaction_id(flow: &Flow) -> &str {
    flow.interaction.as_ref().map_or("", |i| i.id.as_str())
}

fn csrf(flow: &Flow) -> &str {
    flow.interaction
        .as_ref()
        .map_or("", |i| i.csrf_token.as_str())
}

fn csrf_ok(flow: &Flow, sent: Option<&str>) -> bool {
    match (sent, &flow.interaction) {
        (Some(s), Some(i)) => constant_time_eq(s, &i.csrf_token),
        _ => false,
    }
}

fn expired_form(jar: &CookieJar, flow: &Flow) -> Response {
    let locale = pages::locale(flow.req.ui_locales.as_deref(), jar);
    pages::error(
        locale,
        StatusCode::FORBIDDEN,
        Problem::InteractionExpired,
        "invalid_csrf",
    )
}

/// After the consent post the browser follows redirects to the portal.
fn form_targets(flow: &Flow) -> Vec<String> {
    pages::origin(&flow.req.redirect_uri).into_iter().collect()
}

fn other(l: Locale) -> Locale {
    match l {
        Locale::Ru => Locale::En,
        Locale::En => Locale::Ru,
    }
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect())
}
