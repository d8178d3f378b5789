//! An external verification service over HTTP: `POST url` with the request as JSON;
//! the answer `{"verified": true}` or `{"verified": false, "reason": "…"}`. Network
//! errors, timeouts and non-2xx answers are "unavailable" (the job retries later).

use super::{RegistryVerifier, Verdict, Verification, VerificationRequest, VerifyError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpVerifierConfig {
    pub url: String,
    /// `Name: value`, e.g. `Authorization: Bearer …`.
    #[serde(default)]
    pub auth_header: Option<String>,
    #[serde(default)]
    pub auth_header_file: Option<PathBuf>,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
}

fn default_timeout() -> u64 {
    10_000
}

#[derive(Deserialize)]
struct Answer {
    verified: bool,
    #[serde(default)]
    reason: Option<String>,
}

pub struct HttpVerifier {
    client: reqwest::Client,
    url: reqwest::Url,
    header: Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
}

impl HttpVerifier {
    pub fn new(c: &HttpVerifierConfig) -> Result<HttpVerifier, VerifyError> {
        let bad = |w: &str| VerifyError::Config(format!("verification.registry.{w}"));
        let url = reqwest::Url::parse(&c.url).map_err(|_| bad("url: not a URL"))?;
        let raw = match (&c.auth_header, &c.auth_header_file) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(f)) => Some(
                std::fs::read_to_string(f)
                    .map_err(|e| bad(&format!("auth_header_file: {e}")))?
                    .trim()
                    .to_owned(),
            ),
            (None, None) => None,
        };
        let header = match raw {
            Some(h) => {
                let (n, v) = h
                    .split_once(':')
                    .ok_or_else(|| bad("auth_header: expected `Name: value`"))?;
                Some((
                    reqwest::header::HeaderName::from_bytes(n.trim().as_bytes())
                        .map_err(|_| bad("auth_header: bad name"))?,
                    reqwest::header::HeaderValue::from_str(v.trim())
                        .map_err(|_| bad("auth_header: bad value"))?,
                ))
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(c.timeout_ms))
            .build()
            .map_err(|e| VerifyError::Config(e.to_string()))?;
        Ok(HttpVerifier {
            client,
            url,
            header,
        })
    }

    async fn ask(&self, r: &VerificationRequest) -> Result<Verdict, VerifyError> {
        let mut req = self.client.post(self.url.clone()).json(r);
        if let Some((n, v)) = &self.header {
            req = req.header(n, v);
        }
        let unavailable = |e: reqwest::Error| VerifyError::Unavailable(e.without_url().to_string());
        let resp = req.send().await.map_err(unavailable)?;
        if !resp.status().is_success() {
            return Err(VerifyError::Unavailable(format!(
                "answered {}",
                resp.status()
            )));
        }
        let answer: Answer = resp.json().await.map_err(unavailable)?;
        Ok(if answer.verified {
            Verdict::Accepted
        } else {
            Verdict::Rejected(
                answer
                    .reason
                    .unwrap_or_else(|| "the registries did not confirm the data".into())
                    .chars()
                    .take(200)
                    .collect(),
            )
        })
    }
}

impl RegistryVerifier for HttpVerifier {
    fn verify<'a>(&'a self, request: &'a VerificationRequest) -> Verification<'a> {
        Box::pin(self.ask(request))
    }
}
