//! `[backchannel_logout]`: how logout tokens are delivered to portals.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackchannelConfig {
    /// How long one POST to a portal may take, milliseconds.
    pub timeout_ms: u64,
    /// Tries before a delivery is given up (recorded as failed).
    pub max_attempts: i64,
    /// Seconds before the first retry; each further retry waits twice as long.
    pub retry_base: i64,
    /// How often the worker looks for due deliveries, seconds.
    pub poll_interval: u64,
    /// How long a claimed delivery is reserved for its worker, seconds (longer than
    /// the timeout: another node takes it over only when the worker is gone).
    pub lease: i64,
}

impl Default for BackchannelConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 5000,
            max_attempts: 6,
            retry_base: 10,
            poll_interval: 5,
            lease: 60,
        }
    }
}

impl BackchannelConfig {
    /// Checked by `Config::validate`.
    pub fn validate(&self) -> Result<(), String> {
        if self.timeout_ms == 0 || self.max_attempts <= 0 || self.retry_base <= 0 {
            return Err(
                "backchannel_logout: timeout_ms, max_attempts and retry_base must be positive"
                    .into(),
            );
        }
        if self.lease.saturating_mul(1000) <= i64::try_from(self.timeout_ms).unwrap_or(i64::MAX) {
            return Err("backchannel_logout.lease: must be longer than timeout_ms".into());
        }
        Ok(())
    }
}
