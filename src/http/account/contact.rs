//! Changing a phone or e-mail: a code goes to the new contact and must come back
//! before it replaces the old one; the old contact is told.

use super::cabinet::{render, signed_in};
use super::codeflow::{self, Checked, NewFlow};
use super::register::code_page;
use super::{PageQuery, csrf};
use crate::account::{Email, Phone};
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::pages;
use crate::http::params::parse_urlencoded;
use crate::notify::{Address, Notice};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::AuditEvent;
use crate::store::levels::ContactKind;
use crate::store::records::AccountRecord;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

const PREFIX: &str = "/cabinet/contact";

/// `POST /cabinet/contact`: send a code to the new contact.
pub async fn contact_start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/signin"));
    };
    let typed = form.get("contact").unwrap_or("").trim();
    let address = if typed.contains('@') {
        Email::parse(typed)
            .ok()
            .map(|e| Address::Email(e.as_str().to_owned()))
    } else {
        Phone::parse(typed)
            .ok()
            .map(|p| Address::Sms(p.as_str().to_owned()))
    };
    let Some(address) = address else {
        let (token, jar) = csrf::token(&state, jar);
        let errors = vec![("contact", l.t("err_contact").to_owned())];
        let page = render(
            &state,
            l,
            &token,
            &account,
            None,
            errors,
            None,
            StatusCode::BAD_REQUEST,
        )
        .await?;
        return Ok((jar, page).into_response());
    };
    let (id, jar) = codeflow::start(
        &state,
        jar,
        NewFlow {
            purpose: "contact",
            account_id: Some(&account.id),
            address: Some(address),
            payload: serde_json::json!({}),
            locale: l,
            page_prefix: PREFIX,
        },
    )
    .await?;
    Ok((jar, redirect(&format!("{PREFIX}/{id}"))).into_response())
}

/// `GET /cabinet/contact/{id}`.
pub async fn contact_show(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some((_, row)) = owned_flow(&state, &jar, &id).await? else {
        return super::flow_gone(l);
    };
    let (token, jar) = csrf::token(&state, jar);
    let code = q.code.unwrap_or_default();
    let page = code_page(l, &token, &row, PREFIX, &code, None, None, StatusCode::OK)?;
    Ok((jar, page).into_response())
}

/// The flow, if this browser started it and its account is the one signed in.
async fn owned_flow(
    state: &AppState,
    jar: &CookieJar,
    id: &str,
) -> Result<Option<(AccountRecord, crate::store::codes::CodeRow)>, AppError> {
    let Some(account) = signed_in(state, jar).await? else {
        return Ok(None);
    };
    Ok(codeflow::load(state, jar, id, "contact")
        .await?
        .filter(|r| r.account_id.as_deref() == Some(account.id.as_str()))
        .map(|r| (account, r)))
}

/// `POST /cabinet/contact/{id}`: the code came back; replace the contact.
pub async fn contact_code(
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
    let Some((account, row)) = owned_flow(&state, &jar, &id).await? else {
        return super::flow_gone(l);
    };
    let typed = form.get("code").unwrap_or("");
    if let Checked::Refused(key) = codeflow::check(&state, &row, typed).await? {
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
        return Ok((jar, page).into_response());
    }
    let now = state.now();
    if state
        .store
        .use_one_time_code(&row.id, true, now)
        .await?
        .is_none()
    {
        return super::flow_gone(l);
    }
    let (kind, old) = match row.channel.as_str() {
        "sms" => (
            ContactKind::Phone,
            account
                .phone
                .clone()
                .filter(|_| account.phone_verified)
                .map(Address::Sms),
        ),
        _ => (
            ContactKind::Email,
            account
                .email
                .clone()
                .filter(|_| account.email_verified)
                .map(Address::Email),
        ),
    };
    let event = AuditEvent::new(
        now,
        "contact_changed",
        &account.id,
        "citizen",
        serde_json::json!({"kind": row.channel}),
    );
    match state
        .store
        .replace_contact(&account.id, kind, &row.target, &event)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let (token, jar) = csrf::token(&state, jar);
            let errors = vec![("contact", l.t("err_taken_contact").to_owned())];
            let page = render(
                &state,
                l,
                &token,
                &account,
                None,
                errors,
                None,
                StatusCode::CONFLICT,
            )
            .await?;
            return Ok((jar, page).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    if let Some(old) = old.filter(|o| o.value() != row.target) {
        state.notifier.dispatch(Notice::ContactReplaced.to(old, l));
    }
    Ok(redirect("/cabinet?done=contact"))
}

/// `POST /cabinet/contact/{id}/resend`.
pub async fn contact_resend(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    if owned_flow(&state, &jar, &id).await?.is_none() {
        return super::flow_gone(pages::locale(None, &jar));
    }
    super::register::resend_in(&state, jar, &id, &body, "contact", PREFIX).await
}
