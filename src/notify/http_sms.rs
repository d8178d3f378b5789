//! An HTTP SMS gateway: a JSON POST whose body comes from a configurable template
//! (`{{phone}}` and `{{text}}` are replaced inside JSON strings, so the text is always
//! escaped correctly), with an auth header, a timeout and retries with back-off on
//! network errors and 5xx answers. 4xx answers are not retried.

use super::{Address, Channel, Delivery, Message, NotifyError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSmsConfig {
    pub url: String,
    /// `Name: value`, e.g. `Authorization: Bearer …`.
    #[serde(default)]
    pub auth_header: Option<String>,
    /// The same, read from a file (keeps the secret out of the config).
    #[serde(default)]
    pub auth_header_file: Option<PathBuf>,
    #[serde(default = "default_template")]
    pub body_template: String,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
}

fn default_template() -> String {
    r#"{"to": "{{phone}}", "text": "{{text}}"}"#.to_owned()
}
fn default_timeout() -> u64 {
    5000
}
fn default_retries() -> u32 {
    2
}

pub struct HttpSms {
    client: reqwest::Client,
    url: reqwest::Url,
    header: Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    template: Value,
    retries: u32,
}

impl HttpSms {
    pub fn new(c: &HttpSmsConfig) -> Result<HttpSms, NotifyError> {
        let bad = |what: &str| NotifyError::Config(format!("notify.sms_gateway.{what}"));
        let url = reqwest::Url::parse(&c.url).map_err(|_| bad("url: not a URL"))?;
        let template: Value =
            serde_json::from_str(&c.body_template).map_err(|_| bad("body_template: not JSON"))?;
        let raw_header = match (&c.auth_header, &c.auth_header_file) {
            (Some(h), _) => Some(h.clone()),
            (None, Some(f)) => Some(
                std::fs::read_to_string(f)
                    .map_err(|e| bad(&format!("auth_header_file: {e}")))?
                    .trim()
                    .to_owned(),
            ),
            (None, None) => None,
        };
        let header = match raw_header {
            Some(h) => {
                let (name, value) = h
                    .split_once(':')
                    .ok_or_else(|| bad("auth_header: expected `Name: value`"))?;
                Some((
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                        .map_err(|_| bad("auth_header: bad name"))?,
                    reqwest::header::HeaderValue::from_str(value.trim())
                        .map_err(|_| bad("auth_header: bad value"))?,
                ))
            }
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(c.timeout_ms))
            .build()
            .map_err(|e| NotifyError::Config(e.to_string()))?;
        Ok(HttpSms {
            client,
            url,
            header,
            template,
            retries: c.retries,
        })
    }

    async fn post(&self, message: &Message) -> Result<(), NotifyError> {
        let Address::Sms(phone) = &message.to else {
            return Err(NotifyError::Permanent("not a phone number".into()));
        };
        let body = fill(&self.template, phone, &message.text);
        let mut delay = Duration::from_millis(200);
        let mut attempt = 0;
        loop {
            match self.once(&body).await {
                Err(NotifyError::Temporary(e)) if attempt < self.retries => {
                    tracing::debug!(attempt, error = %e, "SMS gateway: retrying");
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn once(&self, body: &Value) -> Result<(), NotifyError> {
        let mut req = self.client.post(self.url.clone()).json(body);
        if let Some((n, v)) = &self.header {
            req = req.header(n, v);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| NotifyError::Temporary(e.without_url().to_string()))?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Err(NotifyError::Temporary(format!("gateway answered {status}")))
        } else {
            Err(NotifyError::Permanent(format!("gateway answered {status}")))
        }
    }
}

/// Replace the placeholders inside every string of the template.
fn fill(template: &Value, phone: &str, text: &str) -> Value {
    match template {
        Value::String(s) => Value::String(s.replace("{{phone}}", phone).replace("{{text}}", text)),
        Value::Array(a) => Value::Array(a.iter().map(|v| fill(v, phone, text)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), fill(v, phone, text)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Channel for HttpSms {
    fn deliver<'a>(&'a self, message: &'a Message) -> Delivery<'a> {
        Box::pin(self.post(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_inside_strings_and_stay_escaped() {
        let t: Value =
            serde_json::from_str(r#"{"msg": {"to": "{{phone}}", "body": "{{text}}"}, "n": 1}"#)
                .unwrap_or_default();
        let v = fill(&t, "+79123456789", "code \"1\"\n");
        assert_eq!(v["msg"]["to"], "+79123456789");
        assert_eq!(v["msg"]["body"], "code \"1\"\n");
        assert_eq!(v["n"], 1);
    }
}
