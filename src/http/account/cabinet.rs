//! The citizen's cabinet: who they are, their level and how to raise it, contacts,
//! personal data and its verification state, recent events.

use super::{PageQuery, csrf, locale_with_switch, switch_url};
use crate::account::{Snils, TrustLevel};
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::{pages, session};
use crate::oidc::claims::{full_name, trust_level};
use crate::state::AppState;
use crate::store::personal::PersonalRow;
use crate::store::records::AccountRecord;
use crate::views::{CabinetPage, FieldErrors, Locale, PersonalFields};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

/// `GET /cabinet`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let (l, jar) = locale_with_switch(&state, jar, q.lang.as_deref());
    let Some(account) = signed_in(&state, &jar).await? else {
        // A session that still owes its second factor goes to the factor page.
        let to = if session::current(&state, &jar).await?.is_some() {
            "/factor"
        } else {
            "/signin"
        };
        return Ok((jar, redirect(to)).into_response());
    };
    let flash = q.done.as_deref().and_then(flash_key).map(|k| l.t(k));
    let (token, jar) = csrf::token(&state, jar);
    let page = render(
        &state,
        l,
        &token,
        &account,
        flash,
        vec![],
        None,
        StatusCode::OK,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// The account of this browser's live session, once any second factor the citizen
/// asked for is passed.
pub async fn signed_in(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<AccountRecord>, AppError> {
    let Some((s, account)) = crate::http::factor::session_account(state, jar).await? else {
        return Ok(None);
    };
    let trust = crate::http::cookies::value(jar, crate::http::factor::TRUST_COOKIE);
    let citizen = state.store.requires_second_factor(&s.account_id).await?;
    if crate::http::factor::pending(state, trust, &s, None, &[], citizen).await? {
        return Ok(None);
    }
    Ok(Some(account))
}

fn flash_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "registered" => "flash_registered",
        "personal" => "flash_personal",
        "contact" => "flash_contact",
        "confirmed" => "flash_confirmed",
        "password" => "flash_password",
        "certificate" => "flash_certificate",
        _ => return None,
    })
}

pub fn level_text(level: TrustLevel, l: Locale) -> &'static str {
    l.t(match level {
        TrustLevel::Simplified => "level_simplified",
        TrustLevel::Standard => "level_standard",
        TrustLevel::Confirmed => "level_confirmed",
    })
}

fn fields_of(row: Option<&PersonalRow>, account: &AccountRecord) -> PersonalFields {
    let s = |v: Option<&String>| v.cloned().unwrap_or_default();
    PersonalFields {
        birth_date: s(row.and_then(|r| r.birth_date.as_ref())),
        gender: s(row.and_then(|r| r.gender.as_ref())),
        passport_series: s(row.and_then(|r| r.passport_series.as_ref())),
        passport_number: s(row.and_then(|r| r.passport_number.as_ref())),
        passport_issued: s(row.and_then(|r| r.passport_issued.as_ref())),
        passport_issuer: s(row.and_then(|r| r.passport_issuer.as_ref())),
        passport_issuer_code: s(row.and_then(|r| r.passport_issuer_code.as_ref())),
        snils: account
            .snils
            .as_deref()
            .map(|v| {
                Snils::parse(v)
                    .map(|s| s.formatted())
                    .unwrap_or_else(|_| v.to_owned())
            })
            .unwrap_or_default(),
        inn: s(row.and_then(|r| r.inn.as_ref())),
    }
}

#[expect(clippy::too_many_arguments, reason = "one page, many parts")]
pub async fn render(
    state: &AppState,
    l: Locale,
    csrf: &str,
    account: &AccountRecord,
    flash: Option<&'static str>,
    errors: FieldErrors,
    typed: Option<PersonalFields>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let row = state.store.personal_data(&account.id).await?;
    let data_state = row.as_ref().map_or("none", |r| r.state.as_str()).to_owned();
    let mut data_state_text = l
        .t(match data_state.as_str() {
            "pending" => "state_pending",
            "verified" => "state_verified",
            "rejected" => "state_rejected",
            "failed" => "state_failed",
            _ => "state_none",
        })
        .to_owned();
    if let Some(reason) = row.as_ref().and_then(|r| r.state_reason.as_ref()) {
        data_state_text.push(' ');
        data_state_text.push_str(reason);
    }
    let history = state
        .store
        .audit_for_account(&account.id, 10)
        .await?
        .into_iter()
        .map(|e| (format_time(e.at), event_text(&e.kind, l)))
        .collect();
    let certificates = state
        .store
        .certificates_of(&account.id)
        .await?
        .into_iter()
        .map(|c| (c.subject, format_time(c.not_after)))
        .collect();
    let certificate_url = state
        .config
        .certificate_origin()
        .map(|o| format!("{o}/cabinet/certificate"));
    let level = trust_level(account);
    let not_set = l.t("not_set");
    let snils_shown = account.snils.as_deref().map(|v| {
        Snils::parse(v)
            .map(|s| s.formatted())
            .unwrap_or_else(|_| v.to_owned())
    });
    let page = CabinetPage {
        t: l.texts(),
        lang: l.code(),
        l,
        switch_url: &switch_url("/cabinet", l),
        csrf,
        name: &full_name(account),
        level: level.as_str(),
        level_text: level_text(level, l),
        phone: account.phone.as_deref().unwrap_or(not_set),
        email: account.email.as_deref().unwrap_or(not_set),
        snils: snils_shown.as_deref().unwrap_or(not_set),
        frozen: data_state == "pending",
        data_state: &data_state,
        data_state_text,
        f: typed.unwrap_or_else(|| fields_of(row.as_ref(), account)),
        flash,
        errors,
        history,
        certificates,
        certificate_url,
    };
    pages::html(status, &page, &[])
}

fn event_text(kind: &str, l: Locale) -> &'static str {
    let key = format!("ev_{kind}");
    if crate::views::has_text(&key) {
        l.t(&key)
    } else {
        ""
    }
}

fn format_time(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}
