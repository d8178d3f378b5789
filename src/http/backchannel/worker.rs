//! The delivery worker: claims due logout tokens (a database lease keeps two nodes off
//! the same one), POSTs `logout_token=…` to the portal, and records the outcome. A
//! network error or any non-2xx answer is retried with exponential back-off until
//! `max_attempts`, then recorded as failed. Every node runs one.

use super::fresh_token;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::logout_deliveries::LogoutDelivery;
use std::time::Duration;

/// At most this many deliveries per call, so one slow round cannot run forever.
const BATCH: usize = 100;

/// Delivered and failed rows are kept this long for operators, then deleted.
const KEEP: i64 = 30 * 24 * 3600;

/// Deliver every logout token that is due now. Returns how many were tried.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let cfg = &state.config.backchannel_logout;
    let mut http: Option<reqwest::Client> = None;
    let mut tried = 0;
    while tried < BATCH {
        let Some(row) = state
            .store
            .claim_logout_delivery(state.now(), cfg.lease)
            .await?
        else {
            break;
        };
        let client = match &http {
            Some(c) => c.clone(),
            None => {
                let c = reqwest::Client::builder()
                    .timeout(Duration::from_millis(cfg.timeout_ms))
                    // A portal's logout endpoint answers itself; a redirect is a failure.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| AppError::Internal(format!("back-channel HTTP client: {e}")))?;
                http = Some(c.clone());
                c
            }
        };
        deliver_one(state, &client, &row).await?;
        tried += 1;
    }
    Ok(tried)
}

async fn deliver_one(
    state: &AppState,
    http: &reqwest::Client,
    row: &LogoutDelivery,
) -> Result<(), AppError> {
    let cfg = &state.config.backchannel_logout;
    let portal = state.store.client(&row.client_id).await?;
    let token = portal
        .as_ref()
        .and_then(|c| fresh_token(state, c, &row.logout_token));
    let Some(token) = token else {
        // The portal is gone or its algorithm has no key any more: nothing to send.
        tracing::warn!(client = %row.client_id, "back-channel logout dropped: cannot sign");
        state.store.logout_failed(&row.id, state.now()).await?;
        return Ok(());
    };
    let outcome = http
        .post(&row.uri)
        .form(&[("logout_token", token.as_str())])
        .send()
        .await;
    let problem = match outcome {
        Ok(resp) if resp.status().is_success() => None,
        Ok(resp) => Some(format!("HTTP {}", resp.status().as_u16())),
        Err(e) => Some(e.to_string()),
    };
    let now = state.now();
    match problem {
        None => {
            tracing::info!(client = %row.client_id, attempts = row.attempts, "back-channel logout delivered");
            state.store.logout_delivered(&row.id, now).await?;
        }
        Some(p) if row.attempts >= cfg.max_attempts => {
            tracing::warn!(client = %row.client_id, attempts = row.attempts, problem = %p, "back-channel logout gave up");
            state.store.logout_failed(&row.id, now).await?;
        }
        Some(p) => {
            let at = now + backoff(cfg.retry_base, row.attempts);
            tracing::info!(client = %row.client_id, attempts = row.attempts, problem = %p, retry_at = at, "back-channel logout will be retried");
            state.store.logout_retry(&row.id, at, &token).await?;
        }
    }
    Ok(())
}

/// `base`, `2·base`, `4·base` … after the 1st, 2nd, 3rd … try.
fn backoff(base: i64, attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    base.saturating_mul(1_i64 << exp)
}

/// Delete deliveries that finished (delivered or failed) more than 30 days ago.
pub async fn purge_old(state: &AppState) -> Result<u64, AppError> {
    Ok(state
        .store
        .purge_logout_deliveries(state.now() - KEEP)
        .await?)
}

/// The background worker: look for due deliveries every `poll_interval` seconds.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(state.config.backchannel_logout.poll_interval.max(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut rounds: u64 = 0;
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&state).await {
                tracing::warn!(error = %e, "back-channel logout worker");
            }
            rounds += 1;
            if rounds % 720 == 1
                && let Err(e) = purge_old(&state).await
            {
                tracing::warn!(error = %e, "purging old back-channel logout deliveries");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles() {
        assert_eq!(backoff(10, 1), 10);
        assert_eq!(backoff(10, 2), 20);
        assert_eq!(backoff(10, 4), 80);
        assert!(backoff(10, 1000) > 0);
    }
}
