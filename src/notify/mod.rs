//! Delivering codes, links and notices to citizens: SMS and e-mail. One trait per
//! channel, real adapters behind it (an HTTP SMS gateway, SMTP), and a dev outbox (a
//! JSON-lines file) that is the embedded default. Messages are dispatched in the
//! background so a page answers in the same time whether or not anything was sent
//! (no account enumeration by timing).

mod http_sms;
mod messages;
mod outbox;
mod smtp;

pub use http_sms::{HttpSms, HttpSmsConfig};
pub use messages::{CodePurpose, Notice};
pub use outbox::Outbox;
pub use smtp::{Smtp, SmtpConfig, SmtpSecurity};

use crate::config::Config;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

/// Where a message goes. Values are normalised (`+7…`, lower-case e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "channel", content = "to", rename_all = "lowercase")]
pub enum Address {
    Sms(String),
    Email(String),
}

impl Address {
    pub fn value(&self) -> &str {
        match self {
            Self::Sms(v) | Self::Email(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    #[serde(flatten)]
    pub to: Address,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// Worth another try (network, timeout, 5xx).
    #[error("temporary delivery failure: {0}")]
    Temporary(String),
    #[error("delivery refused: {0}")]
    Permanent(String),
    #[error("notify configuration: {0}")]
    Config(String),
}

pub type Delivery<'a> = Pin<Box<dyn Future<Output = Result<(), NotifyError>> + Send + 'a>>;

/// One way of delivering messages (an SMS gateway, an SMTP relay, the outbox).
pub trait Channel: Send + Sync {
    fn deliver<'a>(&'a self, message: &'a Message) -> Delivery<'a>;
}

/// `[notify]` in the config: without a gateway or an SMTP relay configured, messages
/// land in the outbox file (development).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    pub outbox_file: PathBuf,
    pub sms_gateway: Option<HttpSmsConfig>,
    pub smtp: Option<SmtpConfig>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            outbox_file: PathBuf::from("data/outbox.jsonl"),
            sms_gateway: None,
            smtp: None,
        }
    }
}

/// Routes each message to the channel of its address.
#[derive(Clone)]
pub struct Notifier {
    sms: Arc<dyn Channel>,
    email: Arc<dyn Channel>,
}

impl Notifier {
    pub fn from_config(config: &Config) -> Result<Notifier, NotifyError> {
        let n = &config.notify;
        let outbox: Arc<dyn Channel> = Arc::new(Outbox::new(n.outbox_file.clone()));
        let sms: Arc<dyn Channel> = match &n.sms_gateway {
            Some(c) => Arc::new(HttpSms::new(c)?),
            None => outbox.clone(),
        };
        let email: Arc<dyn Channel> = match &n.smtp {
            Some(c) => Arc::new(Smtp::new(c)?),
            None => outbox,
        };
        Ok(Notifier { sms, email })
    }

    pub fn new(sms: Arc<dyn Channel>, email: Arc<dyn Channel>) -> Notifier {
        Notifier { sms, email }
    }

    /// Deliver now (the caller waits, for example the CLI).
    pub async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        match message.to {
            Address::Sms(_) => self.sms.deliver(message).await,
            Address::Email(_) => self.email.deliver(message).await,
        }
    }

    /// Deliver in the background; failures are logged (never the text: it may hold a
    /// code).
    pub fn dispatch(&self, message: Message) {
        let this = self.clone();
        tokio::spawn(async move {
            match this.send(&message).await {
                Ok(()) => tracing::debug!(subject = %message.subject, "message delivered"),
                Err(e) => {
                    tracing::warn!(subject = %message.subject, error = %e, "message not delivered")
                }
            }
        });
    }
}
