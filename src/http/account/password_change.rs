//! `/cabinet/password`: a signed-in citizen changes their password. The current
//! password is asked again (a borrowed, unlocked computer must not be enough), and wrong
//! ones count toward the same lockout as at login. The new one must meet the policy.
//! Every other session ends (their portals are told by back-channel logout), the change
//! is journalled, and the citizen is told by SMS or e-mail.

use super::sessions::{ended_by_id, signed_in};
use super::{csrf, password_step};
use crate::account::{PolicyViolation, contact_of, generate_password};
use crate::authn::password::{Password, Verified};
use crate::error::AppError;
use crate::http::client_ip::ClientIp;
use crate::http::oauth_response::redirect;
use crate::http::pages;
use crate::http::params::parse_urlencoded;
use crate::http::password_login::{Context, locked_now};
use crate::notify::Notice;
use crate::state::AppState;
use crate::store::lockout::{Counter, Reservation};
use crate::store::records::AccountRecord;
use crate::views::{Locale, PasswordChangePage};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

/// The policy as a checklist, in the order the registration page shows it.
const RULES: [(&str, PolicyViolation); 8] = [
    ("length", PolicyViolation::TooShort),
    ("upper", PolicyViolation::NoUpper),
    ("lower", PolicyViolation::NoLower),
    ("digit", PolicyViolation::NoDigit),
    ("special", PolicyViolation::NoSpecial),
    ("sequence", PolicyViolation::SequentialDigits),
    ("common", PolicyViolation::CommonWord),
    ("personal", PolicyViolation::PersonalData),
];

fn page(
    l: Locale,
    csrf: &str,
    errors: Vec<String>,
    error_field: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let suggested = generate_password();
    let p = PasswordChangePage {
        t: l.texts(),
        lang: l.code(),
        l,
        csrf,
        rules: RULES
            .iter()
            .map(|(k, v)| {
                let text = match l {
                    Locale::Ru => v.message_ru(),
                    Locale::En => v.message_en(),
                };
                (*k, text)
            })
            .collect(),
        suggested: &suggested,
        errors,
        error_field,
    };
    pages::html(status, &p, &[])
}

/// `GET /cabinet/password`.
pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    if signed_in(&state, &jar).await?.is_none() {
        return Ok((jar, redirect("/signin")).into_response());
    }
    let (token, jar) = csrf::token(&state, jar);
    Ok((jar, page(l, &token, vec![], None, StatusCode::OK)?).into_response())
}

/// `POST /cabinet/password`.
pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some((current, account)) = signed_in(&state, &jar).await? else {
        return Ok((jar, redirect("/signin")).into_response());
    };
    let (token, jar) = csrf::token(&state, jar);
    let again = |errors: Vec<String>, field, status| -> Result<Response, AppError> {
        Ok((jar.clone(), page(l, &token, errors, Some(field), status)?).into_response())
    };
    let ctx = Context {
        ip: ip.map(|i| i.to_string()),
        user_agent: super::register::user_agent(&headers),
    };
    let old = Password::new(form.get("current_password").unwrap_or("").to_owned());
    let Some(old_hash) = account.password_hash.clone() else {
        return again(
            vec![l.t("err_current_password").to_owned()],
            "current_password",
            StatusCode::BAD_REQUEST,
        );
    };
    match current_password_ok(&state, &account, &old, &ctx).await? {
        Check::Right => {}
        Check::Wrong => {
            return again(
                vec![l.t("err_current_password").to_owned()],
                "current_password",
                StatusCode::BAD_REQUEST,
            );
        }
        Check::Locked => {
            return again(
                vec![l.t("error_locked").to_owned()],
                "current_password",
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    }
    let personal: Vec<&str> = [
        Some(account.family_name.as_str()),
        Some(account.given_name.as_str()),
        account.phone.as_deref(),
        account.email.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let new = match password_step::chosen(&form, &personal, l) {
        Ok(p) if p == old.expose() => {
            return again(
                vec![l.t("err_password_same").to_owned()],
                "password",
                StatusCode::BAD_REQUEST,
            );
        }
        Ok(p) => p,
        Err(errors) => return again(errors, "password", StatusCode::BAD_REQUEST),
    };
    let new_hash = state.hasher.hash(&Password::new(new)).await?;
    let event = ctx.event(
        state.now(),
        "password_changed",
        &account.id,
        serde_json::json!({}),
    );
    let Some(ended) = state
        .store
        .change_password(&account.id, &old_hash, &new_hash, &current.id, &event)
        .await?
    else {
        // Changed meanwhile (another tab, a recovery): the typed one is no longer current.
        return again(
            vec![l.t("err_current_password").to_owned()],
            "current_password",
            StatusCode::CONFLICT,
        );
    };
    tracing::info!(account = %account.id, sessions_ended = ended.len(), "password changed");
    ended_by_id(&state, &ended).await?;
    if let Some(to) = contact_of(&account) {
        state.notifier.dispatch(Notice::PasswordChanged.to(to, l));
    }
    Ok((jar, redirect("/cabinet/sessions?done=password")).into_response())
}

enum Check {
    Right,
    Wrong,
    Locked,
}

/// The typed current password, counted like a login attempt.
async fn current_password_ok(
    state: &AppState,
    account: &AccountRecord,
    typed: &Password,
    ctx: &Context,
) -> Result<Check, AppError> {
    let lockout = &state.config.lockout;
    let attempt = match state
        .store
        .reserve_attempt(
            &account.id,
            Counter::Password,
            lockout.max_failures,
            state.now(),
        )
        .await?
    {
        Reservation::Granted(n) => n,
        Reservation::Locked(_) => return Ok(Check::Locked),
    };
    if let Verified::Match { .. } = state
        .hasher
        .verify(typed, account.password_hash.as_deref())
        .await?
    {
        state
            .store
            .attempt_succeeded(&account.id, Counter::Password, None)
            .await?;
        return Ok(Check::Right);
    }
    let now = state.now();
    state
        .store
        .append_audit(&ctx.event(
            now,
            "password_change_failed",
            &account.id,
            serde_json::json!({"attempt": attempt}),
        ))
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
        locked_now(state, account, ctx, Counter::Password).await?;
        return Ok(Check::Locked);
    }
    Ok(Check::Wrong)
}
