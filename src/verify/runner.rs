//! The verification worker: claims due jobs, asks the verifier, records the outcome
//! (level raised to standard on success) and tells the citizen. Every node runs one;
//! the database lease keeps two nodes off the same job.

use super::{Verdict, VerificationRequest};
use crate::error::AppError;
use crate::notify::Notice;
use crate::state::AppState;
use crate::store::audit::AuditEvent;
use crate::store::jobs::{JobEnd, JobRow};
use std::time::Duration;

/// Run every job that is due now (at most 100 per call). Returns how many ran.
pub async fn run_due(state: &AppState) -> Result<usize, AppError> {
    let lease = state.config.verification.lease;
    let mut ran = 0;
    while ran < 100 {
        let Some(job) = state.store.claim_job(state.now(), lease).await? else {
            break;
        };
        run_one(state, &job).await?;
        ran += 1;
    }
    Ok(ran)
}

async fn run_one(state: &AppState, job: &JobRow) -> Result<(), AppError> {
    let cfg = &state.config.verification;
    let request: Result<VerificationRequest, _> = serde_json::from_str(&job.payload);
    let verdict = match &request {
        Ok(r) => state.verifier.verify(r).await,
        Err(e) => {
            tracing::error!(job = %job.id, error = %e, "unreadable verification job");
            Ok(Verdict::Rejected(
                "the submitted data could not be read".into(),
            ))
        }
    };
    let now = state.now();
    let end = match verdict {
        Ok(Verdict::Accepted) => JobEnd::Accepted,
        Ok(Verdict::Rejected(reason)) => JobEnd::Rejected { reason },
        Err(e) if job.attempts >= cfg.max_attempts => {
            tracing::warn!(job = %job.id, error = %e, "verification gave up");
            JobEnd::Failed
        }
        Err(e) => {
            let exp = u32::try_from(job.attempts.saturating_sub(1).clamp(0, 10)).unwrap_or(10);
            let delay = cfg.retry_base.saturating_mul(1_i64 << exp);
            tracing::info!(job = %job.id, error = %e, delay, "verification will be retried");
            JobEnd::Retry {
                run_after: now + delay,
            }
        }
    };
    let detail = match &end {
        JobEnd::Accepted => serde_json::json!({"result": "verified"}),
        JobEnd::Rejected { reason } => serde_json::json!({"result": "rejected", "reason": reason}),
        JobEnd::Failed => serde_json::json!({"result": "failed"}),
        JobEnd::Retry { run_after } => {
            serde_json::json!({"result": "retry", "run_after": run_after})
        }
    };
    let event = AuditEvent::new(
        now,
        "verification_finished",
        &job.account_id,
        "system",
        detail,
    );
    state.store.finish_job(job, &end, &[event], now).await?;
    let notice = match &end {
        JobEnd::Accepted => Notice::VerificationAccepted,
        JobEnd::Rejected { reason } => Notice::VerificationRejected { reason },
        JobEnd::Failed => Notice::VerificationFailed,
        JobEnd::Retry { .. } => return Ok(()),
    };
    if let Some(account) = state.store.account(&job.account_id).await?
        && let Some(to) = crate::account::contact_of(&account)
    {
        state
            .notifier
            .dispatch(notice.to(to, crate::views::Locale::default()));
    }
    Ok(())
}

/// The background worker: look for due jobs every `poll_interval` seconds.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(state.config.verification.poll_interval.max(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = run_due(&state).await {
                tracing::warn!(error = %e, "verification worker");
            }
        }
    })
}
