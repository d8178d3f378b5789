//! A passkey as the second factor of a login (`/factor/passkey`): an authentication
//! ceremony for the session's account's passkeys. Success has the effects of the other
//! factors (src/http/factor.rs): the lockout counter cleared, `amr` gains `hwk` (and
//! `mfa`), the audit's `second_factor`, "trust this browser" if asked, and back to the
//! paused portal login or the cabinet. A refused assertion counts toward the
//! second-factor lockout like a wrong code.

use super::account::csrf;
use super::factor::{TRUST_COOKIE, session_account};
use super::oauth_response::redirect;
use super::params::parse_urlencoded;
use super::passkey::{self, Kind, challenge, done, refused};
use super::passkey_cabinet::unavailable;
use super::password_login::{Context, locked_now};
use super::{cookies, pages};
use crate::authn::passkey::METHOD;
use crate::authn::second_factor::with_factor;
use crate::error::AppError;
use crate::secret::Secret;
use crate::state::AppState;
use crate::store::lockout::{Counter, Reservation};
use crate::views::{Locale, PasskeyStepPage};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication};

fn interaction_of(q: Option<&str>) -> Option<&str> {
    q.filter(|i| super::account::is_token(i))
}

/// `GET /factor/passkey[?interaction=uid]`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<super::account::PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let interaction = interaction_of(q.interaction.as_deref());
    if session_account(&state, &jar).await?.is_none() {
        let to = match interaction {
            Some(uid) => format!("/interaction/{uid}"),
            None => "/signin".to_owned(),
        };
        return Ok(redirect(&to));
    }
    let back = match interaction {
        Some(uid) => format!("/factor?interaction={uid}"),
        None => "/factor".to_owned(),
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = PasskeyStepPage {
        t: l.texts(),
        lang: l.code(),
        l,
        heading: l.t("passkey_factor_heading"),
        sub: l.t("passkey_factor_sub"),
        csrf: &token,
        start: "/factor/passkey/start",
        finish: "/factor/passkey/finish",
        interaction: interaction.unwrap_or(""),
        ask_login: false,
        login: "",
        trust_days: state.config.second_factor.trusted_device_days,
        available: state.webauthn.is_some(),
        back_url: &back,
        back_text: l.t("passkey_back_factor"),
    };
    Ok((jar, pages::html(StatusCode::OK, &page, &[])?).into_response())
}

/// CSRF and a relying party, or the JSON refusal.
fn checked(
    state: &AppState,
    jar: &CookieJar,
    form: &crate::oidc::Params,
    l: Locale,
) -> Option<Response> {
    if !csrf::verify(jar, form) {
        return Some(refused(
            StatusCode::FORBIDDEN,
            "invalid_csrf",
            l.t("passkey_expired"),
        ));
    }
    state.webauthn.is_none().then(|| unavailable(l))
}

fn login_required(l: Locale) -> Response {
    refused(
        StatusCode::UNAUTHORIZED,
        "login_required",
        l.t("passkey_expired"),
    )
}

/// `POST /factor/passkey/start`.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if let Some(r) = checked(&state, &jar, &form, l) {
        return Ok(r);
    }
    let (Some(rp), Some((_, account))) = (
        passkey::relying(&state),
        session_account(&state, &jar).await?,
    ) else {
        return Ok(login_required(l));
    };
    let passkeys: Vec<Passkey> = passkey::passkeys_of(&state, &account.id)
        .await?
        .into_iter()
        .map(|(_, pk)| pk)
        .collect();
    if passkeys.is_empty() {
        return Ok(refused(
            StatusCode::NOT_FOUND,
            "no_passkeys",
            l.t("passkey_none_registered"),
        ));
    }
    let (options, ceremony) = rp
        .start_authentication(&passkeys)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    challenge(
        &state,
        jar,
        Kind::Factor,
        Some(&account.id),
        &ceremony,
        &options,
    )
    .await
}

/// `POST /factor/passkey/finish`.
pub async fn finish(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if let Some(r) = checked(&state, &jar, &form, l) {
        return Ok(r);
    }
    let (Some(rp), Some((session, account))) = (
        passkey::relying(&state),
        session_account(&state, &jar).await?,
    ) else {
        return Ok(login_required(l));
    };
    let (row, jar) = passkey::take(&state, jar, &form, Kind::Factor).await?;
    let Some(row) = row.filter(|r| r.account_id.as_deref() == Some(account.id.as_str())) else {
        let r = refused(StatusCode::BAD_REQUEST, "expired", l.t("passkey_expired"));
        return Ok((jar, r).into_response());
    };
    let ceremony: PasskeyAuthentication = passkey::parse_state(&row)?;
    let lockout = &state.config.lockout;
    let now = state.now();
    let attempt = match state
        .store
        .reserve_attempt(
            &account.id,
            Counter::SecondFactor,
            lockout.max_failures,
            now,
        )
        .await?
    {
        Reservation::Granted(n) => n,
        Reservation::Locked(_) => {
            let r = refused(StatusCode::TOO_MANY_REQUESTS, "locked", l.t("error_locked"));
            return Ok((jar, r).into_response());
        }
    };
    let ok = match passkey::lookup(&state, &form).await? {
        Some((assertion, stored)) if stored.account_id == account.id => {
            passkey::verify(&state, &rp, &assertion, &stored, &ceremony).await?
        }
        _ => false,
    };
    let ctx = Context {
        ip: None,
        user_agent: super::account::register::user_agent(&headers),
    };
    if !ok {
        state
            .store
            .append_audit(&ctx.event(
                now,
                "second_factor_failed",
                &account.id,
                serde_json::json!({"method": METHOD}),
            ))
            .await?;
        let locked = state
            .store
            .attempt_failed(
                &account.id,
                Counter::SecondFactor,
                attempt,
                lockout.max_failures,
                lockout.lock_seconds,
                now,
            )
            .await?;
        if locked {
            locked_now(&state, &account, &ctx, Counter::SecondFactor).await?;
        }
        let r = if locked {
            refused(StatusCode::TOO_MANY_REQUESTS, "locked", l.t("error_locked"))
        } else {
            refused(StatusCode::UNAUTHORIZED, "refused", l.t("passkey_refused"))
        };
        return Ok((jar, r).into_response());
    }
    let passed = ctx.event(
        now,
        "second_factor",
        &account.id,
        serde_json::json!({"method": METHOD}),
    );
    state
        .store
        .attempt_succeeded(&account.id, Counter::SecondFactor, Some(&passed))
        .await?;
    let amr = with_factor(&session.amr, METHOD);
    state.store.upgrade_session(&session.id, &amr).await?;
    let mut jar = jar;
    if form.get("trust") == Some("yes") {
        let days = state.config.second_factor.trusted_device_days;
        let token = Secret::generate();
        state
            .store
            .trust_device(&token.hash(), &account.id, now, now + days * 86_400)
            .await?;
        jar = jar.add(cookies::build(
            &state,
            TRUST_COOKIE.to_owned(),
            token.into_string(),
            Some(days * 86_400),
        ));
    }
    let to = match interaction_of(form.get("interaction")) {
        Some(uid) => format!("/authorize/{uid}"),
        None => "/cabinet".to_owned(),
    };
    Ok(done(jar, &to))
}
