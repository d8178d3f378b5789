//! Checking a typed login and password, for the portal's login page and for the
//! cabinet's sign-in: lockout after too many wrong passwords in a row (the attempt is
//! reserved in the database before the hash is checked), the audit journal, and a
//! dummy hash for unknown logins so timing does not tell whether an account exists.

use crate::authn::password::{Password, Verified};
use crate::error::AppError;
use crate::notify::Notice;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::lockout::{Counter, Reservation};
use crate::store::records::{AccountRecord, LoginKey};

/// Where the attempt came from, for the journal.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Context {
    pub fn event(
        &self,
        at: i64,
        kind: &str,
        account_id: &str,
        detail: serde_json::Value,
    ) -> AuditEvent {
        let mut e = AuditEvent::new(at, kind, account_id, "citizen", detail);
        e.ip = self.ip.clone();
        e.user_agent = self.user_agent.clone();
        e
    }
}

pub enum Outcome {
    Accepted(Box<AccountRecord>),
    Invalid,
    /// The account is locked until then (the page offers recovery).
    Locked(i64),
}

/// The account among `candidates` whose password matches.
pub async fn check(
    state: &AppState,
    candidates: &[LoginKey],
    password: &Password,
    ctx: &Context,
) -> Result<Outcome, AppError> {
    let mut found: Vec<AccountRecord> = Vec::new();
    for key in candidates {
        if let Some(a) = state.store.account_by_login(key).await?
            && !found.iter().any(|f| f.id == a.id)
        {
            found.push(a);
        }
    }
    if found.is_empty() {
        state.hasher.verify(password, None).await?;
        return Ok(Outcome::Invalid);
    }
    let lockout = &state.config.lockout;
    let mut locked = None;
    for account in found {
        let now = state.now();
        let attempt = match state
            .store
            .reserve_attempt(&account.id, Counter::Password, lockout.max_failures, now)
            .await?
        {
            Reservation::Granted(n) => n,
            Reservation::Locked(until) => {
                // Same work as a real check, so a lock does not show in the timing.
                state.hasher.verify(password, None).await?;
                locked = Some(until);
                continue;
            }
        };
        match state
            .hasher
            .verify(password, account.password_hash.as_deref())
            .await?
        {
            Verified::Match { needs_rehash } if account.status == "active" => {
                if needs_rehash {
                    let fresh = state.hasher.hash(password).await?;
                    state
                        .store
                        .set_password_hash(&account.id, &fresh, state.now())
                        .await?;
                }
                let login = ctx.event(
                    state.now(),
                    "login",
                    &account.id,
                    serde_json::json!({"method": "pwd"}),
                );
                state
                    .store
                    .attempt_succeeded(&account.id, Counter::Password, Some(&login))
                    .await?;
                return Ok(Outcome::Accepted(Box::new(account)));
            }
            Verified::Match { .. } | Verified::Mismatch => {
                let now = state.now();
                state
                    .store
                    .append_audit(&ctx.event(
                        now,
                        "login_failed",
                        &account.id,
                        serde_json::json!({"method": "pwd", "attempt": attempt}),
                    ))
                    .await?;
                if state
                    .store
                    .attempt_failed(
                        &account.id,
                        Counter::Password,
                        attempt,
                        lockout.max_failures,
                        lockout.lock_seconds,
                        now,
                    )
                    .await?
                {
                    locked_now(state, &account, ctx, Counter::Password).await?;
                    locked = Some(now + lockout.lock_seconds);
                }
            }
        }
    }
    Ok(match locked {
        Some(until) => Outcome::Locked(until),
        None => Outcome::Invalid,
    })
}

/// Audit the lock and tell the citizen (it may be someone else guessing).
pub async fn locked_now(
    state: &AppState,
    account: &AccountRecord,
    ctx: &Context,
    counter: Counter,
) -> Result<(), AppError> {
    let what = match counter {
        Counter::Password => "password",
        Counter::SecondFactor => "second_factor",
    };
    let until = state.now() + state.config.lockout.lock_seconds;
    state
        .store
        .append_audit(&ctx.event(
            state.now(),
            "account_locked",
            &account.id,
            serde_json::json!({"counter": what, "until": until}),
        ))
        .await?;
    tracing::warn!(account = %account.id, counter = what, "account locked");
    if let Some(to) = crate::account::contact_of(account) {
        let minutes = (state.config.lockout.lock_seconds + 59) / 60;
        state
            .notifier
            .dispatch(Notice::AccountLocked { minutes }.to(to, crate::views::Locale::default()));
    }
    Ok(())
}
