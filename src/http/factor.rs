//! The second-factor step of a login (REQUIREMENTS.md): TOTP, a one-time code by SMS or
//! e-mail, a recovery code (passkeys hook in beside them). It upgrades the browser's
//! session (`amr` gains the method and `mfa`), counts wrong codes toward the lockout
//! like passwords, and can trust this browser for a while. Portals' flows come here
//! through the interaction's `SecondFactor` stage; the cabinet when the citizen asked
//! for a second factor at every login.

use super::account::{PageQuery, csrf};
use super::oauth_response::redirect;
use super::params::parse_urlencoded;
use super::password_login::{Context, locked_now};
use super::{cookies, pages, session};
use crate::account::contact_of;
use crate::authn::second_factor::{
    Requirement, new_totp_secret, normalise_recovery_code, totp_step, with_factor,
};
use crate::error::AppError;
use crate::notify::Address;
use crate::secret::{Secret, hash_token};
use crate::state::AppState;
use crate::store::lockout::{Counter, Reservation};
use crate::store::records::{AccountRecord, ClientRecord, SessionRecord};
use crate::views::{FactorPage, Locale};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const TRUST_COOKIE: &str = "propusk_trusted";

/// Whether this session still owes a second factor. `citizen` is the citizen's own
/// "always ask" setting (the authorization flow reads it with the account).
pub async fn pending(
    state: &AppState,
    trust_token: Option<&str>,
    s: &SessionRecord,
    client: Option<&ClientRecord>,
    acr_values: &[String],
    citizen: bool,
) -> Result<bool, AppError> {
    let portal = client.is_some_and(|c| c.settings.require_second_factor);
    let req = Requirement::new(citizen, portal, acr_values);
    if !(req.by_citizen || req.by_portal) {
        return Ok(false);
    }
    let trusted = match trust_token {
        Some(t) => {
            state
                .store
                .is_trusted_device(&hash_token(t), &s.account_id, state.now())
                .await?
        }
        None => false,
    };
    Ok(req.pending(&s.amr, trusted))
}

/// The browser's session and account, if it is live and the account active.
pub async fn session_account(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<(SessionRecord, AccountRecord)>, AppError> {
    let Some(context) = session::current_with_account(state, jar, None).await? else {
        return Ok(None);
    };
    Ok(context
        .account
        .map(|(a, _)| a)
        .filter(|a| a.status == "active")
        .map(|a| (context.session, a)))
}

fn interaction_of(q: Option<&str>) -> Option<&str> {
    q.filter(|i| super::account::is_token(i))
}

/// `GET /factor[?interaction=uid]`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some((_, account)) = session_account(&state, &jar).await? else {
        return Ok(redirect(&login_again(q.interaction.as_deref())));
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = render(
        &state,
        l,
        &token,
        &account,
        interaction_of(q.interaction.as_deref()),
        None,
        StatusCode::OK,
    )
    .await?;
    Ok((jar, page).into_response())
}

fn login_again(interaction: Option<&str>) -> String {
    match interaction_of(interaction) {
        Some(uid) => format!("/interaction/{uid}"),
        None => "/signin".to_owned(),
    }
}

pub async fn render(
    state: &AppState,
    l: Locale,
    csrf: &str,
    account: &AccountRecord,
    interaction: Option<&str>,
    error: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let f = state.store.factor_summary(&account.id).await?;
    let phone = account
        .phone
        .clone()
        .filter(|_| account.phone_verified)
        .map(|p| crate::account::masked(&Address::Sms(p)));
    let email = account
        .email
        .clone()
        .filter(|_| account.email_verified)
        .map(|e| crate::account::masked(&Address::Email(e)));
    let page = FactorPage {
        t: l.texts(),
        lang: l.code(),
        l,
        csrf,
        interaction: interaction.unwrap_or(""),
        totp: f.totp,
        recovery: f.recovery_codes_left > 0,
        passkeys: f.passkeys > 0,
        phone: phone.as_deref(),
        email: email.as_deref(),
        trust_days: state.config.second_factor.trusted_device_days,
        error,
    };
    pages::html(status, &page, &[])
}

/// A posted factor form: CSRF, the session, and a reserved attempt.
struct Posted {
    form: crate::oidc::Params,
    session: SessionRecord,
    account: AccountRecord,
    attempt: i64,
    jar: CookieJar,
    csrf: String,
}

async fn posted(
    state: &AppState,
    jar: CookieJar,
    body: &[u8],
) -> Result<Result<Posted, Response>, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(Err(super::account::forbidden(l)));
    }
    let Some((session, account)) = session_account(state, &jar).await? else {
        return Ok(Err(redirect(&login_again(form.get("interaction")))));
    };
    let (csrf, jar) = csrf::token(state, jar);
    let lockout = &state.config.lockout;
    let attempt = match state
        .store
        .reserve_attempt(
            &account.id,
            Counter::SecondFactor,
            lockout.max_failures,
            state.now(),
        )
        .await?
    {
        Reservation::Granted(n) => n,
        Reservation::Locked(_) => {
            let interaction = interaction_of(form.get("interaction"));
            let page = render(
                state,
                l,
                &csrf,
                &account,
                interaction,
                Some(l.t("error_locked")),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            return Ok(Err((jar, page).into_response()));
        }
    };
    Ok(Ok(Posted {
        form,
        session,
        account,
        attempt,
        jar,
        csrf,
    }))
}

/// `POST /factor/totp`.
pub async fn totp(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = match posted(&state, jar, &body).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let secret = state
        .store
        .totp(&p.account.id)
        .await?
        .filter(|t| t.confirmed_at.is_some())
        .and_then(|t| URL_SAFE_NO_PAD.decode(t.secret).ok());
    let step = secret.and_then(|s| totp_step(&s, p.form.get("code").unwrap_or(""), state.now()));
    let ok = match step {
        Some(step) => state.store.use_totp_step(&p.account.id, step).await?,
        None => false,
    };
    finish(&state, p, ok, "otp", &headers).await
}

/// `POST /factor/recovery`.
pub async fn recovery(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = match posted(&state, jar, &body).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    let ok = match normalise_recovery_code(p.form.get("code").unwrap_or("")) {
        Some(code) => {
            state
                .store
                .use_recovery_code(&p.account.id, &hash_token(&code), state.now())
                .await?
        }
        None => false,
    };
    finish(&state, p, ok, "otp", &headers).await
}

/// Record the outcome of a checked factor: upgrade the session, or count the failure.
async fn finish(
    state: &AppState,
    p: Posted,
    ok: bool,
    method: &str,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &p.jar);
    let ctx = Context {
        ip: None,
        user_agent: super::account::register::user_agent(headers),
    };
    let interaction = interaction_of(p.form.get("interaction")).map(str::to_owned);
    let now = state.now();
    if !ok {
        let lockout = &state.config.lockout;
        state
            .store
            .append_audit(&ctx.event(
                now,
                "second_factor_failed",
                &p.account.id,
                serde_json::json!({"method": method}),
            ))
            .await?;
        let locked = state
            .store
            .attempt_failed(
                &p.account.id,
                Counter::SecondFactor,
                p.attempt,
                lockout.max_failures,
                lockout.lock_seconds,
                now,
            )
            .await?;
        if locked {
            locked_now(state, &p.account, &ctx, Counter::SecondFactor).await?;
        }
        let msg = if locked {
            l.t("error_locked")
        } else {
            l.t("err_code_wrong")
        };
        let page = render(
            state,
            l,
            &p.csrf,
            &p.account,
            interaction.as_deref(),
            Some(msg),
            StatusCode::UNAUTHORIZED,
        )
        .await?;
        return Ok((p.jar, page).into_response());
    }
    let passed = ctx.event(
        now,
        "second_factor",
        &p.account.id,
        serde_json::json!({"method": method}),
    );
    state
        .store
        .attempt_succeeded(&p.account.id, Counter::SecondFactor, Some(&passed))
        .await?;
    let amr = with_factor(&p.session.amr, method);
    state.store.upgrade_session(&p.session.id, &amr).await?;
    let mut jar = p.jar;
    if p.form.get("trust") == Some("yes") {
        let days = state.config.second_factor.trusted_device_days;
        let token = Secret::generate();
        state
            .store
            .trust_device(&token.hash(), &p.account.id, now, now + days * 86_400)
            .await?;
        jar = jar.add(cookies::build(
            state,
            TRUST_COOKIE.to_owned(),
            token.into_string(),
            Some(days * 86_400),
        ));
    }
    let to = match interaction {
        Some(uid) => format!("/authorize/{uid}"),
        None => "/cabinet".to_owned(),
    };
    Ok((jar, redirect(&to)).into_response())
}

/// `POST /factor/send`: a one-time code by SMS or e-mail to the confirmed contact.
pub async fn send(
    State(state): State<AppState>,
    jar: CookieJar,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::account::forbidden(l));
    }
    let interaction = interaction_of(form.get("interaction")).map(str::to_owned);
    let Some((_, account)) = session_account(&state, &jar).await? else {
        return Ok(redirect(&login_again(interaction.as_deref())));
    };
    let address = match form.get("channel") {
        Some("email") => account
            .email
            .clone()
            .filter(|_| account.email_verified)
            .map(Address::Email),
        _ => account
            .phone
            .clone()
            .filter(|_| account.phone_verified)
            .map(Address::Sms),
    }
    .or_else(|| contact_of(&account));
    let Some(address) = address else {
        return Ok(redirect("/factor"));
    };
    let (id, jar) = super::account::start_code_flow(
        &state,
        jar,
        "factor",
        Some(&account.id),
        address,
        serde_json::json!({ "interaction": interaction }),
        l,
        "/factor/code",
    )
    .await?;
    Ok((jar, redirect(&format!("/factor/code/{id}"))).into_response())
}

/// `GET /factor/code/{id}`.
pub async fn code_show(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(row) = super::account::load_code_flow(&state, &jar, &id, "factor").await? else {
        return super::account::flow_gone(l);
    };
    let (token, jar) = csrf::token(&state, jar);
    let page = super::account::register::code_page(
        l,
        &token,
        &row,
        "/factor/code",
        "",
        None,
        None,
        StatusCode::OK,
    )?;
    Ok((jar, page).into_response())
}

/// `POST /factor/code/{id}`: the code by SMS or e-mail.
pub async fn code_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(row) = super::account::load_code_flow(&state, &jar, &id, "factor").await? else {
        return super::account::flow_gone(l);
    };
    let p = match posted(&state, jar, &body).await? {
        Ok(p) => p,
        Err(r) => return Ok(r),
    };
    if row.account_id.as_deref() != Some(p.account.id.as_str()) {
        return super::account::flow_gone(l);
    }
    let typed = p.form.get("code").unwrap_or("").to_owned();
    let ok = super::account::check_code(&state, &row, &typed).await?
        && state
            .store
            .use_one_time_code(&row.id, true, state.now())
            .await?
            .is_some();
    let method = if row.channel == "email" {
        "email"
    } else {
        "sms"
    };
    if !ok {
        // The code page again, with the failure counted toward the lockout.
        let lockout = &state.config.lockout;
        let now = state.now();
        if state
            .store
            .attempt_failed(
                &p.account.id,
                Counter::SecondFactor,
                p.attempt,
                lockout.max_failures,
                lockout.lock_seconds,
                now,
            )
            .await?
        {
            let ctx = Context {
                ip: None,
                user_agent: super::account::register::user_agent(&headers),
            };
            locked_now(&state, &p.account, &ctx, Counter::SecondFactor).await?;
        }
        let page = super::account::register::code_page(
            l,
            &p.csrf,
            &row,
            "/factor/code",
            &typed,
            Some(l.t("err_code_wrong")),
            None,
            StatusCode::BAD_REQUEST,
        )?;
        return Ok((p.jar, page).into_response());
    }
    // The interaction travels in the flow's payload, the trust choice is not offered here.
    let interaction: Option<String> = serde_json::from_str::<serde_json::Value>(&row.payload)
        .ok()
        .and_then(|v| {
            v.get("interaction")
                .and_then(|i| i.as_str())
                .map(str::to_owned)
        });
    let mut p = p;
    if let Some(uid) = interaction {
        p.form =
            crate::oidc::Params::from_pairs([("interaction".to_owned(), uid)]).unwrap_or_default();
    } else {
        p.form = crate::oidc::Params::default();
    }
    finish(&state, p, true, method, &headers).await
}

/// `POST /factor/code/{id}/resend`.
pub async fn code_resend(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    super::account::register::resend_in(&state, jar, &id, &body, "factor", "/factor/code").await
}

/// Start a TOTP enrolment: a new secret, kept unconfirmed until the first code.
pub fn fresh_totp_secret() -> String {
    URL_SAFE_NO_PAD.encode(new_totp_secret())
}
