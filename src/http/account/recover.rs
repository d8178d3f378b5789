//! "Forgot password" (REQUIREMENTS.md): phone, e-mail or SNILS; confirmed accounts also
//! give one document (passport number, INN or SNILS); a code to the account's confirmed
//! contact; a new password; every other session ends. The pages answer the same way
//! whether or not an account exists: a flow is always created, and for no account (or a
//! wrong document) no code is sent, so no code can ever be right.

use super::codeflow::{self, Checked, NewFlow};
use super::register::{code_page, resend_in, user_agent};
use super::{PageQuery, csrf, locale_with_switch, password_step, switch_url};
use crate::account::{TrustLevel, contact_of, login_candidates};
use crate::authn::password::Password;
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::params::parse_urlencoded;
use crate::http::session::{self, NewSession};
use crate::http::{cookies, pages};
use crate::notify::Notice;
use crate::oidc::claims::trust_level;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::records::AccountRecord;
use crate::views::{Locale, RecoverPage};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

const PREFIX: &str = "/recover";

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let (l, jar) = locale_with_switch(&state, jar, q.lang.as_deref());
    let (token, jar) = csrf::token(&state, jar);
    let interaction = q.interaction.unwrap_or_default();
    let page = form_page(l, &token, &interaction, "", None, StatusCode::OK)?;
    Ok((jar, page).into_response())
}

fn form_page(
    l: Locale,
    csrf: &str,
    interaction: &str,
    login: &str,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = RecoverPage {
        t: l.texts(),
        lang: l.code(),
        l,
        switch_url: &switch_url(PREFIX, l),
        csrf,
        interaction,
        login,
        error,
    };
    pages::html(status, &page, &[])
}

/// Digits and letters only, upper-case: "45 10 123456" and "4510-123456" compare equal.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A confirmed account must also be named by one of its documents.
async fn document_matches(
    state: &AppState,
    a: &AccountRecord,
    typed: &str,
) -> Result<bool, AppError> {
    let typed = squash(typed);
    if typed.is_empty() {
        return Ok(false);
    }
    if a.snils.as_deref().is_some_and(|s| squash(s) == typed) {
        return Ok(true);
    }
    let Some(p) = state.store.personal_data(&a.id).await? else {
        return Ok(false);
    };
    let passport = format!(
        "{}{}",
        p.passport_series.unwrap_or_default(),
        p.passport_number.unwrap_or_default()
    );
    Ok((passport.len() == 10 && squash(&passport) == typed)
        || p.inn.is_some_and(|i| squash(&i) == typed))
}

/// `POST /recover`.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let typed = form.get("login").unwrap_or("").trim();
    let interaction = form.get("interaction").filter(|i| super::is_token(i));
    let Ok(candidates) = login_candidates(typed) else {
        let (token, jar) = csrf::token(&state, jar);
        let page = form_page(
            l,
            &token,
            interaction.unwrap_or(""),
            typed,
            Some(l.texts().error_login_field),
            StatusCode::BAD_REQUEST,
        )?;
        return Ok((jar, page).into_response());
    };
    let mut account = None;
    for key in &candidates {
        if let Some(a) = state
            .store
            .account_by_login(key)
            .await?
            .filter(|a| a.status == "active")
        {
            account = Some(a);
            break;
        }
    }
    let mut target = None;
    if let Some(a) = account {
        let allowed = trust_level(&a) < TrustLevel::Confirmed
            || document_matches(&state, &a, form.get("document").unwrap_or("")).await?;
        if allowed && let Some(address) = contact_of(&a) {
            target = Some((a.id.clone(), address));
        }
    }
    let (account_id, address) = match target {
        Some((id, a)) => (Some(id), Some(a)),
        None => (None, None),
    };
    let (id, jar) = codeflow::start(
        &state,
        jar,
        NewFlow {
            purpose: "recover",
            account_id: account_id.as_deref(),
            address,
            payload: serde_json::json!({ "interaction": interaction }),
            locale: l,
            page_prefix: PREFIX,
        },
    )
    .await?;
    Ok((jar, redirect(&format!("{PREFIX}/{id}"))).into_response())
}

/// `GET /recover/{id}`.
pub async fn code_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(row) = codeflow::load(&state, &jar, &id, "recover").await? else {
        return super::flow_gone(l);
    };
    if row.verified_at.is_some() {
        return Ok(redirect(&format!("{PREFIX}/{id}/password")));
    }
    let (token, jar) = csrf::token(&state, jar);
    let code = q.code.unwrap_or_default();
    let page = code_page(l, &token, &row, PREFIX, &code, None, None, StatusCode::OK)?;
    Ok((jar, page).into_response())
}

/// `POST /recover/{id}`.
pub async fn code_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some(row) = codeflow::load(&state, &jar, &id, "recover").await? else {
        return super::flow_gone(l);
    };
    let typed = form.get("code").unwrap_or("");
    match codeflow::check(&state, &row, typed).await? {
        Checked::Confirmed => Ok(redirect(&format!("{PREFIX}/{id}/password"))),
        Checked::Refused(key) => {
            let (token, jar) = csrf::token(&state, jar);
            let page = code_page(
                l,
                &token,
                &row,
                PREFIX,
                typed,
                Some(l.t(key)),
                None,
                StatusCode::BAD_REQUEST,
            )?;
            Ok((jar, page).into_response())
        }
    }
}

/// `POST /recover/{id}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    resend_in(&state, jar, &id, &body, "recover", PREFIX).await
}

/// `GET /recover/{id}/password`.
pub async fn password_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    match codeflow::load(&state, &jar, &id, "recover").await? {
        Some(row) if row.verified_at.is_some() && row.expires_at > state.now() => {}
        _ => return super::flow_gone(l),
    }
    let (token, jar) = csrf::token(&state, jar);
    let page = password_step::page(
        l,
        &format!("{PREFIX}/{id}/password"),
        &token,
        vec![],
        StatusCode::OK,
    )?;
    Ok((jar, page).into_response())
}

/// `POST /recover/{id}/password`: the new password; every session of the account ends
/// and this browser gets a fresh one.
pub async fn password_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let row = match codeflow::load(&state, &jar, &id, "recover").await? {
        Some(row) if row.verified_at.is_some() && row.expires_at > state.now() => row,
        _ => return super::flow_gone(l),
    };
    let account = match &row.account_id {
        Some(a) => state.store.account(a).await?,
        None => None,
    };
    let Some(account) = account else {
        return super::flow_gone(l);
    };
    let personal: Vec<&str> = [
        Some(account.family_name.as_str()),
        Some(account.given_name.as_str()),
        account.phone.as_deref(),
        account.email.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let password = match password_step::chosen(&form, &personal, l) {
        Ok(p) => p,
        Err(errors) => {
            let (token, jar) = csrf::token(&state, jar);
            let page = password_step::page(
                l,
                &format!("{PREFIX}/{id}/password"),
                &token,
                errors,
                StatusCode::BAD_REQUEST,
            )?;
            return Ok((jar, page).into_response());
        }
    };
    let hash = state.hasher.hash(&Password::new(password)).await?;
    let now = state.now();
    if state
        .store
        .use_one_time_code(&row.id, true, now)
        .await?
        .is_none()
    {
        return super::flow_gone(l);
    }
    let mut event = AuditEvent::new(
        now,
        "password_reset",
        &account.id,
        "citizen",
        serde_json::json!({"channel": row.channel}),
    );
    event.user_agent = user_agent(&headers);
    let ended = state
        .store
        .reset_password(&account.id, &hash, &event)
        .await?;
    tracing::info!(account = %account.id, sessions_ended = ended, "password recovered");
    if let Some(to) = contact_of(&account) {
        state.notifier.dispatch(Notice::PasswordChanged.to(to, l));
    }
    let (_, jar) = session::start(
        &state,
        jar,
        None,
        NewSession {
            account_id: &account.id,
            amr: vec!["pwd".into()],
            acr: trust_level(&account).acr().to_owned(),
            user_agent: event.user_agent.clone(),
            ip: None,
        },
    )
    .await?;
    let jar = jar.add(cookies::removal(&state, format!("propusk_f_{id}")));
    let interaction: Option<String> = serde_json::from_str::<serde_json::Value>(&row.payload)
        .ok()
        .and_then(|v| {
            v.get("interaction")
                .and_then(|i| i.as_str())
                .map(str::to_owned)
        });
    Ok((
        jar,
        redirect(&super::return_to(interaction.as_deref(), "password")),
    )
        .into_response())
}
