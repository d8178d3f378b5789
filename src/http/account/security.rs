//! The cabinet's security page: TOTP enrolment (QR code rendered on the server as SVG,
//! confirmed by a first code; removal needs the password), recovery codes (shown once,
//! regenerating voids the old set) and "ask for a second factor at every login".

use super::cabinet::signed_in;
use super::csrf;
use crate::authn::password::{Password, Verified};
use crate::authn::second_factor::{base32, new_recovery_codes, totp_step, totp_uri};
use crate::error::AppError;
use crate::http::oauth_response::redirect;
use crate::http::pages;
use crate::http::params::parse_urlencoded;
use crate::secret::hash_token;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::records::AccountRecord;
use crate::views::{Locale, SecurityPage};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /cabinet/security`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/cabinet"));
    };
    let flash = match q.done.as_deref() {
        Some("totp") => Some(l.t("totp_added")),
        Some("totp_removed") => Some(l.t("totp_removed")),
        Some("require") => Some(l.t("require_saved")),
        _ => None,
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = render(
        &state,
        l,
        &token,
        &account,
        vec![],
        flash,
        None,
        StatusCode::OK,
    )
    .await?;
    Ok((jar, page).into_response())
}

#[expect(clippy::too_many_arguments, reason = "one page, many parts")]
async fn render(
    state: &AppState,
    l: Locale,
    csrf: &str,
    account: &AccountRecord,
    new_codes: Vec<String>,
    flash: Option<&'static str>,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let f = state.store.factor_summary(&account.id).await?;
    let enrolling = match state.store.totp(&account.id).await? {
        Some(t) if t.confirmed_at.is_none() => {
            let secret = URL_SAFE_NO_PAD
                .decode(&t.secret)
                .map_err(|e| AppError::Internal(format!("totp secret: {e}")))?;
            let label = account
                .phone
                .clone()
                .or_else(|| account.email.clone())
                .unwrap_or_else(|| account.id.clone());
            let uri = totp_uri(&secret, &state.config.second_factor.totp_issuer, &label)
                .ok_or_else(|| AppError::Internal("totp uri".into()))?;
            Some((qr_data_uri(&uri)?, base32(&secret)))
        }
        _ => None,
    };
    let page = SecurityPage {
        t: l.texts(),
        lang: l.code(),
        l,
        csrf,
        totp: f.totp,
        enrolling,
        recovery_left: f.recovery_codes_left,
        new_codes,
        require: f.require_second_factor,
        flash,
        error,
    };
    pages::html(status, &page, &[])
}

/// The QR code as an SVG image in a data URI (the page's CSP allows `img-src data:`).
fn qr_data_uri(text: &str) -> Result<String, AppError> {
    let code =
        qrcode::QrCode::new(text.as_bytes()).map_err(|e| AppError::Internal(format!("qr: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(svg)
    ))
}

/// A posted form of this page: CSRF and the signed-in account.
async fn posted(
    state: &AppState,
    jar: &CookieJar,
    body: &[u8],
) -> Result<Result<(crate::oidc::Params, AccountRecord), Response>, AppError> {
    let l = pages::locale(None, jar);
    let form = parse_urlencoded(body).unwrap_or_default();
    if !csrf::verify(jar, &form) {
        return Ok(Err(super::forbidden(l)));
    }
    match signed_in(state, jar).await? {
        Some(a) => Ok(Ok((form, a))),
        None => Ok(Err(redirect("/cabinet"))),
    }
}

fn event(
    state: &AppState,
    kind: &str,
    account: &AccountRecord,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent::new(state.now(), kind, &account.id, "citizen", detail)
}

/// `POST /cabinet/security/totp/start`.
pub async fn totp_start(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, account) = match posted(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let secret = crate::http::factor::fresh_totp_secret();
    if !state
        .store
        .begin_totp(&account.id, &secret, state.now())
        .await?
    {
        let l = pages::locale(None, &jar);
        let (token, jar) = csrf::token(&state, jar);
        let page = render(
            &state,
            l,
            &token,
            &account,
            vec![],
            None,
            Some(l.t("totp_exists")),
            StatusCode::CONFLICT,
        )
        .await?;
        return Ok((jar, page).into_response());
    }
    Ok(redirect("/cabinet/security"))
}

/// `POST /cabinet/security/totp/confirm`: the first code proves the app has the secret.
pub async fn totp_confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (form, account) = match posted(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let pending = state
        .store
        .totp(&account.id)
        .await?
        .filter(|t| t.confirmed_at.is_none())
        .and_then(|t| URL_SAFE_NO_PAD.decode(t.secret).ok());
    let step = pending.and_then(|s| totp_step(&s, form.get("code").unwrap_or(""), state.now()));
    let confirmed = match step {
        Some(step) => {
            state
                .store
                .confirm_totp(
                    &account.id,
                    step,
                    &event(
                        &state,
                        "factor_added",
                        &account,
                        serde_json::json!({"factor": "totp"}),
                    ),
                )
                .await?
        }
        None => false,
    };
    if confirmed {
        return Ok(redirect("/cabinet/security?done=totp"));
    }
    let l = pages::locale(None, &jar);
    let (token, jar) = csrf::token(&state, jar);
    let page = render(
        &state,
        l,
        &token,
        &account,
        vec![],
        None,
        Some(l.t("err_code_wrong")),
        StatusCode::BAD_REQUEST,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// `POST /cabinet/security/totp/remove`: needs the password.
pub async fn totp_remove(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (form, account) = match posted(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let password = Password::new(form.get("password").unwrap_or("").to_owned());
    let ok = matches!(
        state
            .hasher
            .verify(&password, account.password_hash.as_deref())
            .await?,
        Verified::Match { .. }
    );
    if !ok {
        let l = pages::locale(None, &jar);
        let (token, jar) = csrf::token(&state, jar);
        let page = render(
            &state,
            l,
            &token,
            &account,
            vec![],
            None,
            Some(l.texts().error_invalid_credentials),
            StatusCode::UNAUTHORIZED,
        )
        .await?;
        return Ok((jar, page).into_response());
    }
    state
        .store
        .remove_totp(
            &account.id,
            &event(
                &state,
                "factor_removed",
                &account,
                serde_json::json!({"factor": "totp"}),
            ),
        )
        .await?;
    Ok(redirect("/cabinet/security?done=totp_removed"))
}

/// `POST /cabinet/security/recovery`: a new set of ten codes, shown in this response only.
pub async fn recovery(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (_, account) = match posted(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| hash_token(c)).collect();
    state
        .store
        .replace_recovery_codes(
            &account.id,
            &hashes,
            &event(
                &state,
                "recovery_codes_generated",
                &account,
                serde_json::json!({"count": codes.len()}),
            ),
        )
        .await?;
    let l = pages::locale(None, &jar);
    let (token, jar) = csrf::token(&state, jar);
    let page = render(
        &state,
        l,
        &token,
        &account,
        codes,
        None,
        None,
        StatusCode::OK,
    )
    .await?;
    Ok((jar, page).into_response())
}

/// `POST /cabinet/security/require`: ask for a second factor at every login, or not.
pub async fn require(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let (form, account) = match posted(&state, &jar, &body).await? {
        Ok(ok) => ok,
        Err(r) => return Ok(r),
    };
    let on = form.get("require") == Some("yes");
    state
        .store
        .set_require_second_factor(
            &account.id,
            on,
            &event(
                &state,
                "second_factor_policy",
                &account,
                serde_json::json!({"required": on}),
            ),
        )
        .await?;
    Ok(redirect("/cabinet/security?done=require"))
}
