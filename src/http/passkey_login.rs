//! Logging in with a passkey instead of a password, on the portal's login page
//! (`/interaction/{uid}/login/passkey`) and on `/signin/passkey`.
//!
//! Identifier first, then a passkey authentication for that account: webauthn-rs 0.6
//! offers discoverable ("usernameless") authentication only as conditional UI, and
//! passkeys are registered without requiring a resident key, so many authenticators
//! could not answer a discoverable request. The answer to the login does not tell
//! whether an account exists: each reading of the login with no account (or no passkey)
//! gets decoy credential IDs derived from it, the same every time (authn/passkey.rs).
//!
//! A passkey login is a login: it respects and counts toward the login lockout, and
//! is audited (`passkey_login`, `passkey_login_failed`). The session's `amr` is
//! `["hwk", "user", "mfa"]`: the authenticator verified the user (PIN or biometric).

use super::account::csrf;
use super::flow;
use super::params::parse_urlencoded;
use super::passkey::{self, Kind, challenge, done, refused};
use super::passkey_cabinet::unavailable;
use super::password_login::{Context, locked_now};
use super::session::{self, NewSession};
use super::{metrics, pages};
use crate::account::login_candidates;
use crate::authn::passkey::{LoginCeremony, passwordless_amr, without_transports};
use crate::error::AppError;
use crate::oidc::Params;
use crate::oidc::claims::trust_level;
use crate::secret::constant_time_eq;
use crate::state::AppState;
use crate::store::lockout::{Counter, Reservation};
use crate::store::records::{AccountRecord, LoginKey};
use crate::views::{Locale, PasskeyStepPage};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use webauthn_rs::prelude::Passkey;

fn page(
    l: Locale,
    csrf: &str,
    start: &str,
    finish: &str,
    login: &str,
    back: &str,
    available: bool,
) -> Result<Response, AppError> {
    let p = PasskeyStepPage {
        t: l.texts(),
        lang: l.code(),
        l,
        heading: l.t("passkey_login_heading"),
        sub: l.t("passkey_login_sub"),
        csrf,
        start,
        finish,
        interaction: "",
        ask_login: true,
        login,
        trust_days: 0,
        available,
        back_url: back,
        back_text: l.t("passkey_back_password"),
    };
    pages::html(StatusCode::OK, &p, &[])
}

/// `GET /signin/passkey`.
pub async fn signin_show(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let (token, jar) = csrf::token(&state, jar);
    let p = page(
        l,
        &token,
        "/signin/passkey/start",
        "/signin/passkey/finish",
        "",
        "/signin",
        state.webauthn.is_some(),
    )?;
    Ok((jar, p).into_response())
}

/// `POST /signin/passkey/start`.
pub async fn signin_start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(bad_csrf(l));
    }
    start(&state, jar, &form, l).await
}

/// `POST /signin/passkey/finish`: a session for the cabinet.
pub async fn signin_finish(
    State(state): State<AppState>,
    jar: CookieJar,
    super::peer::Peer(peer): super::peer::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(bad_csrf(l));
    }
    let ctx = Context {
        ip: peer.map(|p| p.ip().to_string()),
        user_agent: super::account::register::user_agent(&headers),
    };
    let (account, jar) = match finish(&state, jar, &form, &ctx, l).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let previous = session::current(&state, &jar).await?;
    let (_, jar) =
        session::start(&state, jar, previous.as_ref(), new_session(&account, &ctx)).await?;
    Ok(done(jar, "/cabinet"))
}

/// `GET /interaction/{uid}/login/passkey`.
pub async fn interaction_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
) -> Result<Response, AppError> {
    let flow = match flow::load(&state, &jar, &uid).await? {
        Ok(f) => f,
        Err(page) => return Ok(*page),
    };
    let l = pages::locale(flow.req.ui_locales.as_deref(), &jar);
    let csrf = flow
        .interaction
        .as_ref()
        .map_or("", |i| i.csrf_token.as_str());
    page(
        l,
        csrf,
        &format!("/interaction/{uid}/login/passkey/start"),
        &format!("/interaction/{uid}/login/passkey/finish"),
        flow.req.login_hint.as_deref().unwrap_or(""),
        &format!("/interaction/{uid}"),
        state.webauthn.is_some(),
    )
}

/// The paused authorization of this browser and its form, CSRF checked (the token is
/// the interaction's own, as on its login page).
async fn interaction_post(
    state: &AppState,
    jar: &CookieJar,
    uid: &str,
    body: &[u8],
) -> Result<Result<(flow::Flow, Params, Locale), Response>, AppError> {
    let l = pages::locale(None, jar);
    let flow = match flow::load(state, jar, uid).await? {
        Ok(f) => f,
        Err(_) => {
            let r = refused(
                StatusCode::BAD_REQUEST,
                "interaction_expired",
                l.t("passkey_expired"),
            );
            return Ok(Err(r));
        }
    };
    let l = pages::locale(flow.req.ui_locales.as_deref(), jar);
    let form = parse_urlencoded(body).unwrap_or_default();
    let ok = match (form.get("csrf"), &flow.interaction) {
        (Some(sent), Some(i)) => constant_time_eq(sent, &i.csrf_token),
        _ => false,
    };
    if !ok {
        return Ok(Err(bad_csrf(l)));
    }
    Ok(Ok((flow, form, l)))
}

/// `POST /interaction/{uid}/login/passkey/start`.
pub async fn interaction_start(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, form, l) = match interaction_post(&state, &jar, &uid, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    start(&state, jar, &form, l).await
}

/// `POST /interaction/{uid}/login/passkey/finish`: the login is recorded in the paused
/// authorization, which resumes at `/authorize/{uid}`.
pub async fn interaction_finish(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    super::peer::Peer(peer): super::peer::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (flow, form, l) = match interaction_post(&state, &jar, &uid, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let ctx = Context {
        ip: peer.map(|p| p.ip().to_string()),
        user_agent: super::account::register::user_agent(&headers),
    };
    let (account, jar) = match finish(&state, jar, &form, &ctx, l).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let jar = session::start_for_interaction(
        &state,
        jar,
        flow.session.as_ref(),
        new_session(&account, &ctx),
        &uid,
    )
    .await?;
    tracing::info!(account = %account.id, interaction = %uid, "passkey login");
    Ok(done(jar, &format!("/authorize/{uid}")))
}

fn bad_csrf(l: Locale) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        "invalid_csrf",
        l.t("passkey_expired"),
    )
}

fn new_session<'a>(account: &'a AccountRecord, ctx: &Context) -> NewSession<'a> {
    NewSession {
        account_id: &account.id,
        amr: passwordless_amr(),
        acr: trust_level(account).acr().to_owned(),
        user_agent: ctx.user_agent.clone(),
        ip: ctx.ip.clone(),
    }
}

/// The name a reading of the login gets decoys under.
fn decoy_name(key: &LoginKey) -> String {
    match key {
        LoginKey::Phone(v) => format!("phone:{v}"),
        LoginKey::Email(v) => format!("email:{v}"),
        LoginKey::Snils(v) => format!("snils:{v}"),
    }
}

/// The challenge for a typed login: the passkeys of each reading that names an active
/// account, decoys for each reading that does not, in one list.
async fn start(
    state: &AppState,
    jar: CookieJar,
    form: &Params,
    l: Locale,
) -> Result<Response, AppError> {
    let Some(rp) = passkey::relying(state) else {
        return Ok(unavailable(l));
    };
    let Ok(candidates) = login_candidates(form.get("login").unwrap_or("")) else {
        let t = l.texts();
        return Ok(refused(
            StatusCode::BAD_REQUEST,
            "invalid_login",
            t.error_login_field,
        ));
    };
    let mut real: Vec<Passkey> = Vec::new();
    let mut decoys = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for key in &candidates {
        let account = state
            .store
            .account_by_login(key)
            .await?
            .filter(|a| a.status == "active");
        let mine = match account {
            Some(a) if !seen.contains(&a.id) => {
                seen.push(a.id.clone());
                passkey::passkeys_of(state, &a.id).await?
            }
            _ => Vec::new(),
        };
        if mine.is_empty() {
            let decoy = rp
                .decoy_challenge(&decoy_name(key))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            decoys.extend(decoy.public_key.allow_credentials);
        }
        real.extend(mine.into_iter().map(|(_, pk)| pk));
    }
    let (mut options, ceremony) = if real.is_empty() {
        let name = candidates.first().map(decoy_name).unwrap_or_default();
        let mut options = rp
            .decoy_challenge(&name)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        options.public_key.allow_credentials.clear();
        (options, LoginCeremony::Decoy)
    } else {
        let (options, auth) = rp
            .start_authentication(&real)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        (without_transports(options), LoginCeremony::Real(auth))
    };
    options.public_key.allow_credentials.extend(decoys);
    challenge(state, jar, Kind::Login, None, &ceremony, &options).await
}

/// Check the assertion of a login ceremony. `Ok(Err(response))`: refused, with the
/// JSON to send.
async fn finish(
    state: &AppState,
    jar: CookieJar,
    form: &Params,
    ctx: &Context,
    l: Locale,
) -> Result<Result<(AccountRecord, CookieJar), Response>, AppError> {
    let Some(rp) = passkey::relying(state) else {
        return Ok(Err(unavailable(l)));
    };
    let (row, jar) = passkey::take(state, jar, form, Kind::Login).await?;
    let Some(row) = row else {
        let text = l.t("passkey_expired");
        return Ok(Err(with(jar, StatusCode::BAD_REQUEST, "expired", text)));
    };
    let wrong = |jar| {
        with(
            jar,
            StatusCode::UNAUTHORIZED,
            "refused",
            l.t("passkey_refused"),
        )
    };
    let LoginCeremony::Real(ceremony) = passkey::parse_state(&row)? else {
        metrics::login("failure");
        return Ok(Err(wrong(jar)));
    };
    let Some((assertion, stored)) = passkey::lookup(state, form).await? else {
        metrics::login("failure");
        return Ok(Err(wrong(jar)));
    };
    let Some(account) = state
        .store
        .account(&stored.account_id)
        .await?
        .filter(|a| a.status == "active")
    else {
        return Ok(Err(wrong(jar)));
    };
    let lockout = &state.config.lockout;
    let now = state.now();
    let attempt = match state
        .store
        .reserve_attempt(&account.id, Counter::Password, lockout.max_failures, now)
        .await?
    {
        Reservation::Granted(n) => n,
        Reservation::Locked(_) => {
            metrics::login("locked");
            let text = l.t("error_locked");
            return Ok(Err(with(
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                "locked",
                text,
            )));
        }
    };
    if passkey::verify(state, &rp, &assertion, &stored, &ceremony).await? {
        let detail = serde_json::json!({"method": "hwk", "passkey": stored.name});
        let login = ctx.event(now, "passkey_login", &account.id, detail);
        state
            .store
            .attempt_succeeded(&account.id, Counter::Password, Some(&login))
            .await?;
        metrics::login("success");
        return Ok(Ok((account, jar)));
    }
    metrics::login("failure");
    let detail = serde_json::json!({"method": "hwk", "attempt": attempt});
    state
        .store
        .append_audit(&ctx.event(now, "passkey_login_failed", &account.id, detail))
        .await?;
    let locked = state
        .store
        .attempt_failed(
            &account.id,
            Counter::Password,
            attempt,
            lockout.max_failures,
            lockout.lock_seconds,
            now,
        )
        .await?;
    if locked {
        locked_now(state, &account, ctx, Counter::Password).await?;
        let text = l.t("error_locked");
        return Ok(Err(with(
            jar,
            StatusCode::TOO_MANY_REQUESTS,
            "locked",
            text,
        )));
    }
    Ok(Err(wrong(jar)))
}

/// A refusal that also clears the ceremony cookie.
fn with(jar: CookieJar, status: StatusCode, code: &str, text: &str) -> Response {
    (jar, refused(status, code, text)).into_response()
}
