//! The cabinet's passkeys page: the list, adding one (a registration ceremony through
//! `/assets/passkey.js`) and removing one, which needs the password like removing the
//! authenticator app.

use super::account::cabinet::signed_in;
use super::account::csrf;
use super::oauth_response::redirect;
use super::pages;
use super::params::parse_urlencoded;
use super::passkey::{self, Kind, challenge, done, refused};
use crate::authn::passkey::{User, credential_key};
use crate::authn::password::{Password, Verified};
use crate::error::AppError;
use crate::oidc::claims::full_name;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::passkeys::PasskeyRow;
use crate::store::records::AccountRecord;
use crate::views::{Locale, PasskeyItem, PasskeysPage};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use webauthn_rs::prelude::{Passkey, PasskeyRegistration};

/// The longest name kept for a passkey, in characters.
const NAME_MAX: usize = 64;

/// `GET /cabinet/passkeys`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<super::account::PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/cabinet"));
    };
    let flash = match q.done.as_deref() {
        Some("added") => Some(l.t("passkey_added")),
        Some("removed") => Some(l.t("passkey_removed")),
        _ => None,
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = render(&state, l, &token, &account, flash, None, StatusCode::OK).await?;
    Ok((jar, page).into_response())
}

async fn render(
    state: &AppState,
    l: Locale,
    csrf: &str,
    account: &AccountRecord,
    flash: Option<&'static str>,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let passkeys = state
        .store
        .passkeys(&account.id)
        .await?
        .into_iter()
        .map(|p| PasskeyItem {
            credential_id: p.credential_id,
            name: p.name,
            created: passkey::day(p.created_at),
            last_used: p.last_used_at.map(passkey::day),
        })
        .collect();
    let page = PasskeysPage {
        t: l.texts(),
        lang: l.code(),
        l,
        csrf,
        passkeys,
        available: state.webauthn.is_some(),
        flash,
        error,
    };
    pages::html(status, &page, &[])
}

/// A post from the script: CSRF and the signed-in account, or the JSON refusal.
async fn posted_json(
    state: &AppState,
    jar: &CookieJar,
    body: &[u8],
) -> Result<Result<(crate::oidc::Params, AccountRecord), Response>, AppError> {
    let l = pages::locale(None, jar);
    let form = parse_urlencoded(body).unwrap_or_default();
    if !csrf::verify(jar, &form) {
        return Ok(Err(refused(
            StatusCode::FORBIDDEN,
            "invalid_csrf",
            l.t("passkey_expired"),
        )));
    }
    if state.webauthn.is_none() {
        return Ok(Err(unavailable(l)));
    }
    match signed_in(state, jar).await? {
        Some(a) => Ok(Ok((form, a))),
        None => Ok(Err(refused(
            StatusCode::UNAUTHORIZED,
            "login_required",
            l.t("passkey_expired"),
        ))),
    }
}

pub fn unavailable(l: Locale) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        "passkeys_unavailable",
        l.t("passkey_unavailable"),
    )
}

/// `POST /cabinet/passkeys/register/start`: the creation challenge (the account's
/// passkeys excluded, so one authenticator is not registered twice).
pub async fn register_start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, account) = match posted_json(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let Some(rp) = passkey::relying(&state) else {
        return Ok(unavailable(pages::locale(None, &jar)));
    };
    let existing: Vec<Passkey> = passkey::passkeys_of(&state, &account.id)
        .await?
        .into_iter()
        .map(|(_, pk)| pk)
        .collect();
    let login = account
        .phone
        .clone()
        .or_else(|| account.email.clone())
        .unwrap_or_else(|| account.id.clone());
    let display = full_name(&account);
    let user = User {
        account_id: &account.id,
        login: &login,
        display_name: &display,
    };
    let (options, registration) = rp
        .start_registration(&user, &existing)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    challenge(
        &state,
        jar,
        Kind::Register,
        Some(&account.id),
        &registration,
        &options,
    )
    .await
}

/// `POST /cabinet/passkeys/register/finish`: check the authenticator's answer and keep
/// the passkey.
pub async fn register_finish(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let (form, account) = match posted_json(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let Some(rp) = passkey::relying(&state) else {
        return Ok(unavailable(l));
    };
    let (row, jar) = passkey::take(&state, jar, &form, Kind::Register).await?;
    let Some(row) = row.filter(|r| r.account_id.as_deref() == Some(account.id.as_str())) else {
        let r = refused(StatusCode::BAD_REQUEST, "expired", l.t("passkey_expired"));
        return Ok((jar, r).into_response());
    };
    let registration: PasskeyRegistration = passkey::parse_state(&row)?;
    let pk = match rp.finish_registration(form.get("credential").unwrap_or(""), &registration) {
        Ok(pk) => pk,
        Err(e) => {
            tracing::info!(account = %account.id, error = %e, "passkey registration refused");
            let r = refused(StatusCode::BAD_REQUEST, "refused", l.t("passkey_refused"));
            return Ok((jar, r).into_response());
        }
    };
    let name = name_of(form.get("name"), l);
    let now = state.now();
    let stored = PasskeyRow {
        credential_id: credential_key(pk.cred_id()),
        account_id: account.id.clone(),
        name: name.clone(),
        passkey: serde_json::to_string(&pk).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now,
        last_used_at: None,
    };
    let event = AuditEvent::new(
        now,
        "factor_added",
        &account.id,
        "citizen",
        serde_json::json!({"factor": "passkey", "name": name}),
    );
    if !state.store.add_passkey(&stored, &event).await? {
        let r = refused(StatusCode::CONFLICT, "exists", l.t("passkey_exists"));
        return Ok((jar, r).into_response());
    }
    Ok(done(jar, "/cabinet/passkeys?done=added"))
}

/// The citizen's name for the passkey: printable, trimmed, at most `NAME_MAX` characters.
fn name_of(typed: Option<&str>, l: Locale) -> String {
    let name: String = typed
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    let name = name.trim();
    if name.is_empty() {
        l.t("passkey_default_name").to_owned()
    } else {
        name.to_owned()
    }
}

/// `POST /cabinet/passkeys/remove`: needs the password.
pub async fn remove(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::account::forbidden(l));
    }
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/cabinet"));
    };
    let password = Password::new(form.get("password").unwrap_or("").to_owned());
    let ok = matches!(
        state
            .hasher
            .verify(&password, account.password_hash.as_deref())
            .await?,
        Verified::Match { .. }
    );
    let error = if ok {
        let credential_id = form.get("credential_id").unwrap_or("");
        let event = AuditEvent::new(
            state.now(),
            "factor_removed",
            &account.id,
            "citizen",
            serde_json::json!({"factor": "passkey"}),
        );
        if state
            .store
            .remove_passkey(&account.id, credential_id, &event)
            .await?
        {
            return Ok(redirect("/cabinet/passkeys?done=removed"));
        }
        (StatusCode::NOT_FOUND, l.t("passkey_not_found"))
    } else {
        (
            StatusCode::UNAUTHORIZED,
            l.texts().error_invalid_credentials,
        )
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = render(&state, l, &token, &account, None, Some(error.1), error.0).await?;
    Ok((jar, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_printable_and_bounded() {
        assert_eq!(name_of(Some("  Phone \u{7} "), Locale::En), "Phone");
        assert_eq!(name_of(Some(""), Locale::En), "Passkey");
        assert_eq!(name_of(None, Locale::Ru), "Ключ доступа");
        assert_eq!(
            name_of(Some(&"я".repeat(100)), Locale::Ru).chars().count(),
            64
        );
    }
}
