//! What administrators and operators do to a citizen's account: block and unblock (a
//! blocked citizen's sessions end and every grant and token is revoked), clear a
//! lockout, confirm an identity in person, reset second factors, end sessions. Each is
//! one store transaction with its audit event; portals of the ended sessions are told
//! by back-channel logout.

use super::citizen_types::{BlockRequest, CitizenAction, ConfirmIdentityRequest};
use super::citizens::load_account;
use super::error::{Checks, text_field};
use super::{Actor, AdminError, Operation, Permit, event};
use crate::account::TrustLevel;
use crate::state::AppState;
use crate::store::levels::Confirmation;
use crate::store::records::AccountRecord;
use serde_json::json;

fn outcome(a: &AccountRecord, status: &str, level: &str, sessions_ended: u64) -> CitizenAction {
    CitizenAction {
        id: a.id.clone(),
        status: status.to_owned(),
        trust_level: level.to_owned(),
        sessions_ended,
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Queue back-channel logout for sessions that have just ended. Best effort: the
/// sessions are already over whatever a portal hears.
async fn tell_portals(state: &AppState, session_ids: &[String]) {
    for id in session_ids {
        let ended = match state.store.session(id).await {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "back-channel logout not queued");
                continue;
            }
        };
        if let Err(e) = crate::http::backchannel::session_ended(state, &ended).await {
            tracing::warn!(error = %e, "back-channel logout not queued");
        }
    }
}

pub async fn block(
    state: &AppState,
    permit: &Permit,
    id: &str,
    input: BlockRequest,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::BlockCitizen)?;
    let mut c = Checks::default();
    let reason = text_field(&mut c, "reason", &input.reason, 500);
    c.finish()?;
    let a = load_account(state, id).await?;
    if actor.name == format!("account:{}", a.id) {
        return Err(AdminError::conflict(
            "an administrator cannot block their own account",
        ));
    }
    if a.status == "blocked" {
        return Err(AdminError::conflict("the account is already blocked"));
    }
    let live: Vec<String> = state
        .store
        .sessions_of(&a.id, state.now())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let e = event(
        state,
        actor,
        "account_blocked",
        Some(&a.id),
        json!({"reason": reason, "sessions_ended": live.len()}),
    );
    if !state.store.set_account_status(&a.id, "blocked", &e).await? {
        return Err(AdminError::NotFound("citizen"));
    }
    tell_portals(state, &live).await;
    Ok(outcome(&a, "blocked", &a.trust_level, count(live.len())))
}

pub async fn unblock(
    state: &AppState,
    permit: &Permit,
    id: &str,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::UnblockCitizen)?;
    let a = load_account(state, id).await?;
    if a.status != "blocked" {
        return Err(AdminError::conflict("the account is not blocked"));
    }
    let e = event(state, actor, "account_unblocked", Some(&a.id), json!({}));
    if !state.store.set_account_status(&a.id, "active", &e).await? {
        return Err(AdminError::NotFound("citizen"));
    }
    Ok(outcome(&a, "active", &a.trust_level, 0))
}

/// Clear the password and second-factor lockouts.
pub async fn unlock(
    state: &AppState,
    permit: &Permit,
    id: &str,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::UnlockCitizen)?;
    let a = load_account(state, id).await?;
    let before = state.store.lockout_of(&a.id).await?;
    let e = event(
        state,
        actor,
        "account_unlocked",
        Some(&a.id),
        json!({"before": before.map(|(fl, lu, ff, flu)| json!({
            "failed_logins": fl, "locked_until": lu, "failed_factors": ff, "factors_locked_until": flu
        }))}),
    );
    if !state.store.unlock_account(&a.id, &e).await? {
        return Err(AdminError::NotFound("citizen"));
    }
    Ok(outcome(&a, &a.status, &a.trust_level, 0))
}

/// Confirm an identity in person: the account must be standard (its personal data
/// verified); records who confirmed (`operator:<actor>`), when and by which document.
pub async fn confirm_identity(
    state: &AppState,
    permit: &Permit,
    id: &str,
    input: ConfirmIdentityRequest,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::ConfirmIdentity)?;
    let mut c = Checks::default();
    let document = text_field(&mut c, "document", &input.document, 200);
    c.finish()?;
    let a = load_account(state, id).await?;
    require_standard(&a)?;
    let recorded = operator_name(actor);
    let raised = state
        .store
        .confirm_identity(&Confirmation {
            account_id: &a.id,
            method: "operator",
            actor: &recorded,
            document: Some(&document),
            at: state.now(),
        })
        .await?;
    if !raised {
        return Err(AdminError::conflict(
            "the account's level changed meanwhile; look at it again",
        ));
    }
    Ok(outcome(&a, &a.status, TrustLevel::Confirmed.as_str(), 0))
}

/// How the journal names the operator who confirmed an identity.
pub fn operator_name(actor: &Actor) -> String {
    format!("operator:{}", actor.name)
}

/// Confirmation sits on top of verified personal data.
pub fn require_standard(a: &AccountRecord) -> Result<(), AdminError> {
    match TrustLevel::parse(&a.trust_level) {
        Some(TrustLevel::Standard) => Ok(()),
        Some(TrustLevel::Confirmed) => {
            Err(AdminError::conflict("the account is already confirmed"))
        }
        _ => Err(AdminError::conflict(format!(
            "the account is {}: its personal data must be verified first (standard level)",
            a.trust_level
        ))),
    }
}

/// Remove every second factor (TOTP, recovery codes, passkeys, trusted browsers) and
/// the "always ask" setting: for a citizen who lost their phone.
pub async fn reset_second_factors(
    state: &AppState,
    permit: &Permit,
    id: &str,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::ResetSecondFactors)?;
    let a = load_account(state, id).await?;
    let f = state.store.factor_summary(&a.id).await?;
    let e = event(
        state,
        actor,
        "second_factors_reset",
        Some(&a.id),
        json!({"before": {"totp": f.totp, "recovery_codes_left": f.recovery_codes_left,
            "passkeys": f.passkeys, "require_second_factor": f.require_second_factor}}),
    );
    if !state.store.reset_second_factors(&a.id, &e).await? {
        return Err(AdminError::NotFound("citizen"));
    }
    Ok(outcome(&a, &a.status, &a.trust_level, 0))
}

/// End every live session of the citizen (a stolen device, a shared computer).
pub async fn end_sessions(
    state: &AppState,
    permit: &Permit,
    id: &str,
) -> Result<CitizenAction, AdminError> {
    let actor = permit.actor_for(Operation::EndSessions)?;
    let a = load_account(state, id).await?;
    let e = event(state, actor, "sessions_ended", Some(&a.id), json!({}));
    let ended = state.store.end_sessions_audited(&a.id, &e).await?;
    tell_portals(state, &ended).await;
    Ok(outcome(&a, &a.status, &a.trust_level, count(ended.len())))
}
