//! Verifying personal data against the state registries (REQUIREMENTS.md, the standard
//! level). A pluggable `RegistryVerifier`: the embedded default checks formats and
//! checksums and accepts; the HTTP adapter asks an external verification service. Jobs
//! run in the background (`runner`), queued in the database so they survive restarts.

mod embedded;
mod http;
pub mod runner;

pub use embedded::Embedded;
pub use http::{HttpVerifier, HttpVerifierConfig};

use crate::account::PersonalData;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// What the registries are asked: the name and the personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRequest {
    pub family_name: String,
    pub given_name: String,
    pub middle_name: Option<String>,
    #[serde(flatten)]
    pub data: PersonalData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// The registries do not confirm the data; the reason is shown to the citizen.
    Rejected(String),
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The service could not answer now; the job is tried again later.
    #[error("verification service unavailable: {0}")]
    Unavailable(String),
    #[error("verifier configuration: {0}")]
    Config(String),
}

pub type Verification<'a> = Pin<Box<dyn Future<Output = Result<Verdict, VerifyError>> + Send + 'a>>;

pub trait RegistryVerifier: Send + Sync {
    fn verify<'a>(&'a self, request: &'a VerificationRequest) -> Verification<'a>;
}

/// `[verification]` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VerificationConfig {
    /// An external verification service; absent means the embedded verifier.
    pub registry: Option<HttpVerifierConfig>,
    /// Seconds between looks for due jobs.
    pub poll_interval: u64,
    /// Seconds a worker holds a job before another node may take it over.
    pub lease: i64,
    /// Tries before a job gives up on an unavailable service.
    pub max_attempts: i64,
    /// First retry delay, seconds; doubles with each try.
    pub retry_base: i64,
}

impl Default for VerificationConfig {
    fn default() -> Self {
        Self {
            registry: None,
            poll_interval: 5,
            lease: 120,
            max_attempts: 8,
            retry_base: 30,
        }
    }
}

pub fn from_config(
    c: &VerificationConfig,
) -> Result<std::sync::Arc<dyn RegistryVerifier>, VerifyError> {
    Ok(match &c.registry {
        Some(h) => std::sync::Arc::new(HttpVerifier::new(h)?),
        None => std::sync::Arc::new(Embedded),
    })
}
