//! A multi-step flow confirmed by a one-time code (registration, recovery, contact
//! change): start it (send the code, bind the flow to this browser), check a typed
//! code, resend after the cool-down.

use crate::authn::codes::{OneTimeCode, hash_code, typed_code};
use crate::error::AppError;
use crate::http::cookies;
use crate::notify::{Address, CodePurpose, Notice};
use crate::secret::{Secret, constant_time_eq, hash_token, random_id};
use crate::state::AppState;
use crate::store::codes::{Attempt, CodeRow};
use crate::views::Locale;
use axum_extra::extract::cookie::CookieJar;

pub const DIGITS: usize = 6;

pub struct NewFlow<'a> {
    /// `register` | `recover` | `contact`.
    pub purpose: &'static str,
    pub account_id: Option<&'a str>,
    /// Where the code goes; `None` sends nothing (recovery of an unknown login), and
    /// the flow then behaves exactly like one whose code was sent.
    pub address: Option<Address>,
    pub payload: serde_json::Value,
    pub locale: Locale,
    /// The page that takes the code, for the link in an e-mail (`/register/{id}`).
    pub page_prefix: &'static str,
}

fn cookie_name(id: &str) -> String {
    format!("propusk_f_{id}")
}

fn purpose_of(p: &str) -> CodePurpose {
    match p {
        "register" => CodePurpose::Register,
        "recover" => CodePurpose::Recover,
        "factor" => CodePurpose::Login,
        _ => CodePurpose::Contact,
    }
}

/// Create the flow, send its code in the background, bind it to this browser.
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    f: NewFlow<'_>,
) -> Result<(String, CookieJar), AppError> {
    let policy = &state.config.codes;
    let now = state.now();
    let id = random_id();
    let code = OneTimeCode::generate(DIGITS);
    let binding = Secret::generate();
    let (channel, target) = match &f.address {
        Some(Address::Sms(p)) => ("sms", p.clone()),
        Some(Address::Email(e)) => ("email", e.clone()),
        None => ("none", String::new()),
    };
    let row = CodeRow {
        id: id.clone(),
        purpose: f.purpose.to_owned(),
        binding_hash: Some(binding.hash()),
        account_id: f.account_id.map(str::to_owned),
        channel: channel.to_owned(),
        target,
        payload: f.payload.to_string(),
        code_hash: code.hash(&id),
        attempts: 0,
        sends: 1,
        last_sent_at: now,
        created_at: now,
        expires_at: now + policy.ttl,
        verified_at: None,
        consumed_at: None,
    };
    state.store.insert_code_row(&row).await?;
    if let Some(address) = f.address {
        send(state, &row, address, &code, f.locale, f.page_prefix);
    }
    let jar = jar.add(cookies::build(
        state,
        cookie_name(&id),
        binding.into_string(),
        Some(policy.ttl + policy.confirmed_ttl),
    ));
    Ok((id, jar))
}

fn send(
    state: &AppState,
    row: &CodeRow,
    address: Address,
    code: &OneTimeCode,
    locale: Locale,
    page_prefix: &str,
) {
    let link = match address {
        Address::Email(_) => Some(format!(
            "{}{page_prefix}/{}?code={}",
            state.config.issuer,
            row.id,
            code.expose()
        )),
        Address::Sms(_) => None,
    };
    let notice = Notice::Code {
        purpose: purpose_of(&row.purpose),
        code: code.expose(),
        minutes: (state.config.codes.ttl + 59) / 60,
        link: link.as_deref(),
    };
    state.notifier.dispatch(notice.to(address, locale));
}

/// The flow `id` of this purpose, if this browser started it and it is still usable.
pub async fn load(
    state: &AppState,
    jar: &CookieJar,
    id: &str,
    purpose: &str,
) -> Result<Option<CodeRow>, AppError> {
    let Some(secret) = cookies::value(jar, &cookie_name(id)) else {
        return Ok(None);
    };
    let Some(row) = state.store.code_row(id).await? else {
        return Ok(None);
    };
    let bound = row
        .binding_hash
        .as_deref()
        .is_some_and(|h| constant_time_eq(h, &hash_token(secret)));
    if !bound || row.purpose != purpose || row.consumed_at.is_some() {
        return Ok(None);
    }
    Ok(Some(row))
}

pub enum Checked {
    Confirmed,
    /// A catalogue key for the message.
    Refused(&'static str),
}

/// Count the attempt, then compare in constant time. A malformed entry is not counted.
pub async fn check(state: &AppState, row: &CodeRow, typed: &str) -> Result<Checked, AppError> {
    let Some(code) = typed_code(typed, DIGITS) else {
        return Ok(Checked::Refused("err_code_format"));
    };
    let policy = &state.config.codes;
    let now = state.now();
    Ok(
        match state
            .store
            .count_code_attempt(&row.id, policy.max_attempts, now)
            .await?
        {
            Attempt::Counted(r) => {
                if constant_time_eq(&hash_code(&r.id, &code), &r.code_hash)
                    && state
                        .store
                        .confirm_code(&r.id, now, policy.confirmed_ttl)
                        .await?
                {
                    Checked::Confirmed
                } else if r.attempts >= policy.max_attempts {
                    Checked::Refused("err_code_attempts")
                } else {
                    Checked::Refused("err_code_wrong")
                }
            }
            Attempt::TooManyAttempts => Checked::Refused("err_code_attempts"),
            Attempt::Expired | Attempt::Gone => Checked::Refused("err_code_expired"),
        },
    )
}

/// A fresh code for the flow, if the cool-down has passed and sends remain.
pub async fn resend(
    state: &AppState,
    row: &CodeRow,
    locale: Locale,
    page_prefix: &str,
) -> Result<bool, AppError> {
    let policy = &state.config.codes;
    let code = OneTimeCode::generate(DIGITS);
    let Some(fresh) = state
        .store
        .resend_code(
            &row.id,
            &code.hash(&row.id),
            state.now(),
            policy.resend_cooldown,
            policy.max_sends,
            policy.ttl,
        )
        .await?
    else {
        return Ok(false);
    };
    let address = match fresh.channel.as_str() {
        "sms" => Some(Address::Sms(fresh.target.clone())),
        "email" => Some(Address::Email(fresh.target.clone())),
        _ => None,
    };
    if let Some(a) = address {
        send(state, &fresh, a, &code, locale, page_prefix);
    }
    Ok(true)
}

/// The address a flow's code went to, masked for the page.
/// Recovery never shows where the code went: that would tell that the account exists.
pub fn sent_to(row: &CodeRow, l: Locale) -> String {
    if row.purpose == "recover" {
        return l.t("recover_sent_to").to_owned();
    }
    match row.channel.as_str() {
        "sms" => crate::account::masked(&Address::Sms(row.target.clone())),
        "email" => crate::account::masked(&Address::Email(row.target.clone())),
        _ => l.t("recover_sent_to").to_owned(),
    }
}
