//! Verification jobs: queued in the database so they survive restarts and are shared
//! by every node. A worker claims one with a conditional update and a lease; a job whose
//! worker died is claimed again once the lease runs out.

use super::audit::{self, AuditEvent};
use super::{Store, StoreError};
use crate::clock::UnixTime;
use sqlx::AnyConnection;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRow {
    pub id: String,
    pub account_id: String,
    /// JSON snapshot of the personal data to verify.
    pub payload: String,
    /// `queued` | `running` | `done`.
    pub status: String,
    pub attempts: i64,
    pub run_after: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How a job ended, and what that does to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEnd {
    /// Data verified: `verified`, and the level rises to standard when it was simplified.
    Accepted,
    Rejected {
        reason: String,
    },
    /// Gave up after too many temporary failures.
    Failed,
    /// Try again at `run_after`.
    Retry {
        run_after: UnixTime,
    },
}

const COLUMNS: &str =
    "id, account_id, payload, status, attempts, run_after, locked_until, created_at, finished_at";

pub(super) async fn insert(conn: &mut AnyConnection, j: &JobRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO verification_jobs (id, account_id, payload, status, attempts, run_after, locked_until, \
         created_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&j.id)
    .bind(&j.account_id)
    .bind(&j.payload)
    .bind(&j.status)
    .bind(j.attempts)
    .bind(j.run_after)
    .bind(j.locked_until)
    .bind(j.created_at)
    .bind(j.finished_at)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Claim one due job for `lease` seconds, or `None` if nothing is due.
    pub async fn claim_job(&self, now: UnixTime, lease: i64) -> Result<Option<JobRow>, StoreError> {
        for _ in 0..3 {
            let candidate: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM verification_jobs WHERE (status = 'queued' AND run_after <= $1) \
                 OR (status = 'running' AND locked_until <= $1) ORDER BY run_after, id LIMIT 1",
            )
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            let Some((id,)) = candidate else {
                return Ok(None);
            };
            let claimed: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE verification_jobs SET status = 'running', locked_until = $2, attempts = attempts + 1 \
                 WHERE id = $1 AND ((status = 'queued' AND run_after <= $3) OR (status = 'running' AND locked_until <= $3)) \
                 RETURNING {COLUMNS}"
            )))
            .bind(&id)
            .bind(now + lease)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
            if claimed.is_some() {
                return Ok(claimed);
            }
            // Another worker took it: look again.
        }
        Ok(None)
    }

    pub async fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM verification_jobs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Record the end of a job and its effect on the account, in one transaction.
    /// Returns the account's level change (from, to) if there was one.
    pub async fn finish_job(
        &self,
        job: &JobRow,
        end: &JobEnd,
        events: &[AuditEvent],
        now: UnixTime,
    ) -> Result<Option<(String, String)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut change = None;
        match end {
            JobEnd::Retry { run_after } => {
                sqlx::query(
                    "UPDATE verification_jobs SET status = 'queued', run_after = $2, locked_until = NULL WHERE id = $1",
                )
                .bind(&job.id)
                .bind(run_after)
                .execute(&mut *tx)
                .await?;
            }
            JobEnd::Accepted | JobEnd::Rejected { .. } | JobEnd::Failed => {
                let (state, reason) = match end {
                    JobEnd::Accepted => ("verified", None),
                    JobEnd::Rejected { reason } => ("rejected", Some(reason.as_str())),
                    _ => ("failed", None),
                };
                sqlx::query(
                    "UPDATE personal_data SET state = $2, state_reason = $3, \
                     verified_at = COALESCE($4, verified_at) \
                     WHERE account_id = $1 AND state = 'pending'",
                )
                .bind(&job.account_id)
                .bind(state)
                .bind(reason)
                .bind(matches!(end, JobEnd::Accepted).then_some(now))
                .execute(&mut *tx)
                .await?;
                if matches!(end, JobEnd::Accepted) {
                    let raised = sqlx::query(
                        "UPDATE accounts SET trust_level = 'standard', updated_at = $2 \
                         WHERE id = $1 AND trust_level = 'simplified'",
                    )
                    .bind(&job.account_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if raised == 1 {
                        change = Some(("simplified".to_owned(), "standard".to_owned()));
                        audit::append(
                            &mut tx,
                            &AuditEvent::new(
                                now,
                                "level_changed",
                                &job.account_id,
                                "system",
                                serde_json::json!({"from": "simplified", "to": "standard", "reason": "registry verification"}),
                            ),
                        )
                        .await?;
                    }
                }
                sqlx::query(
                    "UPDATE verification_jobs SET status = 'done', locked_until = NULL, finished_at = $2 WHERE id = $1",
                )
                .bind(&job.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        for e in events {
            audit::append(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(change)
    }
}
