//! E-mail through an SMTP relay with lettre (rustls, no OpenSSL): STARTTLS on 587 by
//! default, implicit TLS on 465, or plain for a relay on localhost.

use super::{Address, Channel, Delivery, Message, NotifyError};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    /// No TLS: only for a relay on the same host.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_security")]
    pub security: SmtpSecurity,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// `propusk <noreply@example.ru>`.
    pub from: String,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
}

fn default_security() -> SmtpSecurity {
    SmtpSecurity::Starttls
}
fn default_timeout() -> u64 {
    10_000
}

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Smtp {
    pub fn new(c: &SmtpConfig) -> Result<Smtp, NotifyError> {
        let bad = |e: &dyn std::fmt::Display| NotifyError::Config(format!("notify.smtp: {e}"));
        let mut builder = match c.security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .map_err(|e| bad(&e))?,
            SmtpSecurity::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(|e| bad(&e))?
            }
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
        };
        if let Some(port) = c.port {
            builder = builder.port(port);
        }
        builder = builder.timeout(Some(Duration::from_millis(c.timeout_ms)));
        if let Some(user) = &c.username {
            let password = match &c.password_file {
                Some(f) => std::fs::read_to_string(f)
                    .map_err(|e| bad(&format!("password_file: {e}")))?
                    .trim()
                    .to_owned(),
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = c.from.parse().map_err(|e| bad(&format!("from: {e}")))?;
        Ok(Smtp {
            transport: builder.build(),
            from,
        })
    }

    async fn send(&self, message: &Message) -> Result<(), NotifyError> {
        let Address::Email(to) = &message.to else {
            return Err(NotifyError::Permanent("not an e-mail address".into()));
        };
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to
                .parse()
                .map_err(|e| NotifyError::Permanent(format!("to: {e}")))?)
            .subject(&message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone())
            .map_err(|e| NotifyError::Permanent(e.to_string()))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(NotifyError::Permanent(e.to_string())),
            Err(e) => Err(NotifyError::Temporary(e.to_string())),
        }
    }
}

impl Channel for Smtp {
    fn deliver<'a>(&'a self, message: &'a Message) -> Delivery<'a> {
        Box::pin(self.send(message))
    }
}
