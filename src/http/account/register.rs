//! Registration (REQUIREMENTS.md): surname, first name, phone or e-mail → a code by SMS
//! (or a link by e-mail) → a password under the ESIA policy → a simplified account,
//! logged in. Whether the contact is taken is told only after the code proves the
//! contact is the visitor's own, so the form cannot be used to probe for accounts.

use super::codeflow::{self, Checked, NewFlow};
use super::{PageQuery, csrf, locale_with_switch, password_step, switch_url};
use crate::account::{Email, PersonName, Phone};
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::params::parse_urlencoded;
use crate::http::session::{self, NewSession};
use crate::http::{cookies, pages};
use crate::notify::Address;
use crate::secret::random_id;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::AuditEvent;
use crate::store::codes::CodeRow;
use crate::store::records::{AccountRecord, LoginKey};
use crate::views::{CodePage, FieldErrors, Locale, RegisterPage};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "/register";

/// What the flow carries from the first step to the last.
#[derive(Serialize, Deserialize)]
struct Pending {
    family: String,
    given: String,
    middle: Option<String>,
    interaction: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let (l, jar) = locale_with_switch(&state, jar, q.lang.as_deref());
    let (token, jar) = csrf::token(&state, jar);
    let interaction = q.interaction.unwrap_or_default();
    let page = form_page(
        l,
        &token,
        &interaction,
        ["", "", "", ""],
        vec![],
        StatusCode::OK,
    )?;
    Ok((jar, page).into_response())
}

fn form_page(
    l: Locale,
    csrf: &str,
    interaction: &str,
    [family, given, middle, contact]: [&str; 4],
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let here = if interaction.is_empty() {
        PREFIX.to_owned()
    } else {
        format!("{PREFIX}?interaction={interaction}")
    };
    let login_url = if super::is_token(interaction) {
        format!("/interaction/{interaction}")
    } else {
        "/signin".to_owned()
    };
    let page = RegisterPage {
        t: l.texts(),
        lang: l.code(),
        l,
        switch_url: &switch_url(&here, l),
        csrf,
        interaction,
        login_url: &login_url,
        family_name: family,
        given_name: given,
        middle_name: middle,
        contact,
        errors,
    };
    pages::html(status, &page, &[])
}

/// `POST /register`: validate, send the code, go to the code page.
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
    let field = |n: &str| form.get(n).unwrap_or("").trim().to_owned();
    let (family, given, middle, contact) = (
        field("family_name"),
        field("given_name"),
        field("middle_name"),
        field("contact"),
    );
    let interaction = form.get("interaction").filter(|i| super::is_token(i));
    let mut errors: FieldErrors = Vec::new();
    let name = PersonName::from_parts(&family, &given, Some(&middle));
    if let Err(e) = &name {
        let key = match e.to_string() {
            s if s.contains("surname") || s.contains("at least") => {
                ("family_name", "err_family_name")
            }
            s if s.contains("first name") => ("given_name", "err_given_name"),
            _ => ("middle_name", "err_middle_name"),
        };
        errors.push((key.0, l.t(key.1).to_owned()));
    }
    let address = if contact.contains('@') {
        Email::parse(&contact)
            .ok()
            .map(|e| Address::Email(e.as_str().to_owned()))
    } else {
        Phone::parse(&contact)
            .ok()
            .map(|p| Address::Sms(p.as_str().to_owned()))
    };
    if address.is_none() {
        errors.push(("contact", l.t("err_contact").to_owned()));
    }
    let (Ok(name), Some(address), true) = (name, address, errors.is_empty()) else {
        let (token, jar) = csrf::token(&state, jar);
        let page = form_page(
            l,
            &token,
            interaction.unwrap_or(""),
            [&family, &given, &middle, &contact],
            errors,
            StatusCode::BAD_REQUEST,
        )?;
        return Ok((jar, page).into_response());
    };
    let pending = Pending {
        family: name.family,
        given: name.given,
        middle: name.middle,
        interaction: interaction.map(str::to_owned),
    };
    let payload = serde_json::to_value(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
    let (id, jar) = codeflow::start(
        &state,
        jar,
        NewFlow {
            purpose: "register",
            account_id: None,
            address: Some(address),
            payload,
            locale: l,
            page_prefix: PREFIX,
        },
    )
    .await?;
    Ok((jar, redirect(&format!("{PREFIX}/{id}"))).into_response())
}

#[expect(clippy::too_many_arguments, reason = "one page, many parts")]
pub fn code_page(
    l: Locale,
    csrf: &str,
    row: &CodeRow,
    prefix: &str,
    code: &str,
    error: Option<&'static str>,
    info: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let action = format!("{prefix}/{}", row.id);
    let resend = format!("{prefix}/{}/resend", row.id);
    let page = CodePage {
        t: l.texts(),
        lang: l.code(),
        l,
        action: &action,
        resend_action: &resend,
        csrf,
        sent_to: &codeflow::sent_to(row, l),
        code,
        error,
        info,
    };
    pages::html(status, &page, &[])
}

/// `GET /register/{id}`: the code page (`?code=` prefills it from the e-mail link).
pub async fn code_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(row) = codeflow::load(&state, &jar, &id, "register").await? else {
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

/// `POST /register/{id}`: check the code; a taken contact ends the flow here.
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
    let Some(row) = codeflow::load(&state, &jar, &id, "register").await? else {
        return super::flow_gone(l);
    };
    let typed = form.get("code").unwrap_or("");
    match codeflow::check(&state, &row, typed).await? {
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
        Checked::Confirmed => {
            if contact_taken(&state, &row).await? {
                state
                    .store
                    .use_one_time_code(&row.id, true, state.now())
                    .await?;
                return taken(l);
            }
            Ok(redirect(&format!("{PREFIX}/{id}/password")))
        }
    }
}

/// `POST /register/{id}/resend`.
pub async fn resend(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    resend_in(&state, jar, &id, &body, "register", PREFIX).await
}

/// Resend for any code flow: the code page again, saying whether a code went out.
pub async fn resend_in(
    state: &AppState,
    jar: CookieJar,
    id: &str,
    body: &[u8],
    purpose: &str,
    prefix: &str,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some(row) = codeflow::load(state, &jar, id, purpose).await? else {
        return super::flow_gone(l);
    };
    let (token, jar) = csrf::token(state, jar);
    let page = if codeflow::resend(state, &row, l, prefix).await? {
        code_page(
            l,
            &token,
            &row,
            prefix,
            "",
            None,
            Some(l.t("code_resent")),
            StatusCode::OK,
        )?
    } else {
        code_page(
            l,
            &token,
            &row,
            prefix,
            "",
            Some(l.t("err_resend_wait")),
            None,
            StatusCode::TOO_MANY_REQUESTS,
        )?
    };
    Ok((jar, page).into_response())
}

/// `GET /register/{id}/password`.
pub async fn password_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    match codeflow::load(&state, &jar, &id, "register").await? {
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

/// `POST /register/{id}/password`: create the account and log the citizen in.
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
    let row = match codeflow::load(&state, &jar, &id, "register").await? {
        Some(row) if row.verified_at.is_some() && row.expires_at > state.now() => row,
        _ => return super::flow_gone(l),
    };
    let pending: Pending = serde_json::from_str(&row.payload)
        .map_err(|e| AppError::Internal(format!("registration payload: {e}")))?;
    let personal = [
        pending.family.as_str(),
        pending.given.as_str(),
        row.target.as_str(),
    ];
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
    let hash = state
        .hasher
        .hash(&crate::authn::password::Password::new(password))
        .await?;
    // One use: a second submit (another tab) finds the flow consumed.
    let now = state.now();
    if state
        .store
        .use_one_time_code(&row.id, true, now)
        .await?
        .is_none()
    {
        return super::flow_gone(l);
    }
    let by_phone = row.channel == "sms";
    let account = AccountRecord {
        id: random_id(),
        family_name: pending.family,
        given_name: pending.given,
        middle_name: pending.middle,
        phone: by_phone.then(|| row.target.clone()),
        email: (!by_phone).then(|| row.target.clone()),
        snils: None,
        phone_verified: by_phone,
        email_verified: !by_phone,
        password_hash: Some(hash),
        trust_level: "simplified".into(),
        status: "active".into(),
        created_at: now,
        updated_at: now,
    };
    let mut event = AuditEvent::new(
        now,
        "account_registered",
        &account.id,
        "citizen",
        serde_json::json!({"channel": row.channel}),
    );
    event.user_agent = user_agent(&headers);
    match state.store.register_account(&account, &event).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return taken(l),
        Err(e) => return Err(e.into()),
    }
    tracing::info!(account = %account.id, "registered");
    let previous = session::current(&state, &jar).await?;
    let (_, jar) = session::start(
        &state,
        jar,
        previous.as_ref(),
        NewSession {
            account_id: &account.id,
            amr: vec!["pwd".into()],
            acr: crate::account::TrustLevel::Simplified.acr().to_owned(),
            user_agent: event.user_agent.clone(),
            ip: None,
        },
    )
    .await?;
    let jar = jar.add(cookies::removal(&state, format!("propusk_f_{id}")));
    let to = super::return_to(pending.interaction.as_deref(), "registered");
    Ok((jar, redirect(&to)).into_response())
}

async fn contact_taken(state: &AppState, row: &CodeRow) -> Result<bool, AppError> {
    let key = match row.channel.as_str() {
        "sms" => LoginKey::Phone(row.target.clone()),
        _ => LoginKey::Email(row.target.clone()),
    };
    Ok(state.store.account_by_login(&key).await?.is_some())
}

fn taken(l: Locale) -> Result<Response, AppError> {
    super::notice(
        l,
        StatusCode::CONFLICT,
        l.t("taken_heading"),
        l.t("taken_text"),
        true,
        vec![
            ("/signin".into(), l.t("login_link")),
            ("/recover".into(), l.t("recover_link")),
        ],
    )
}

pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(256).collect())
}
