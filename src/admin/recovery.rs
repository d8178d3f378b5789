//! Access recovery started by an operator who has seen the citizen in person.
//!
//! propusk never sets or tells anyone a password, so the operator cannot hand one out.
//! Instead the operator clears the lockouts (a citizen who forgot the password has
//! usually locked the account by guessing) and the citizen gets, at a confirmed contact
//! they choose, a message from propusk with the recovery link. The recovery itself is
//! the citizen's ordinary one (`/recover`): a code to that contact, then a new password,
//! after which every other session ends. A citizen who lost the phone picks the e-mail;
//! one with neither needs a contact change first.

use super::citizen_types::{RecoveryChannel, RecoveryRequest, RecoveryStarted};
use super::citizens::load_account;
use super::{AdminError, Operation, Permit, event};
use crate::account::{contact_of, masked};
use crate::error::AppError;
use crate::notify::{Address, Message};
use crate::state::AppState;
use crate::store::records::AccountRecord;
use serde_json::json;

pub async fn start(
    state: &AppState,
    permit: &Permit,
    id: &str,
    input: RecoveryRequest,
) -> Result<RecoveryStarted, AdminError> {
    let actor = permit.actor_for(Operation::StartRecovery)?;
    let a = load_account(state, id).await?;
    if a.status != "active" {
        return Err(AdminError::conflict(
            "the account is blocked: unblock it before recovering access",
        ));
    }
    let address = address(&a, input.channel)?;
    let channel = match address {
        Address::Sms(_) => RecoveryChannel::Sms,
        Address::Email(_) => RecoveryChannel::Email,
    };
    let sent_to = masked(&address);
    let e = event(
        state,
        actor,
        "recovery_started",
        Some(&a.id),
        json!({"channel": channel, "sent_to": sent_to}),
    );
    if !state.store.unlock_account(&a.id, &e).await? {
        return Err(AdminError::NotFound("citizen"));
    }
    // Sent while the operator waits: the operator tells the citizen it is on its way.
    state
        .notifier
        .send(&message(&state.config.issuer, address))
        .await
        .map_err(AppError::from)?;
    Ok(RecoveryStarted {
        id: a.id,
        channel,
        sent_to,
    })
}

/// The chosen confirmed contact, or the default one (phone first).
fn address(a: &AccountRecord, channel: Option<RecoveryChannel>) -> Result<Address, AdminError> {
    let confirmed_phone = a.phone.clone().filter(|_| a.phone_verified);
    let confirmed_email = a.email.clone().filter(|_| a.email_verified);
    match channel {
        Some(RecoveryChannel::Sms) => confirmed_phone
            .map(Address::Sms)
            .ok_or_else(|| AdminError::conflict("the account has no confirmed phone")),
        Some(RecoveryChannel::Email) => confirmed_email
            .map(Address::Email)
            .ok_or_else(|| AdminError::conflict("the account has no confirmed e-mail")),
        None => contact_of(a)
            .ok_or_else(|| AdminError::conflict("the account has no confirmed phone or e-mail")),
    }
}

/// Both languages: the operator's citizen may read either.
fn message(issuer: &str, to: Address) -> Message {
    let link = format!("{}/recover", issuer.trim_end_matches('/'));
    Message {
        to,
        subject: "Восстановление доступа / Access recovery".into(),
        text: format!(
            "Оператор центра обслуживания начал восстановление доступа к вашей учётной записи \
             propusk, блокировка входа снята. Чтобы задать новый пароль, откройте {link}, \
             введите телефон, e-mail или СНИЛС и код, который придёт сюда. Если вы не \
             обращались в центр обслуживания, ничего не делайте.\n\n\
             A service centre operator started the recovery of your propusk account and \
             lifted the login lock. To set a new password, open {link}, enter your phone, \
             e-mail or SNILS and the code sent here. If you did not visit a service centre, \
             do nothing."
        ),
    }
}
