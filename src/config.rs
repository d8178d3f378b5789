//! Typed configuration: built-in defaults < `propusk.toml` < `PROPUSK_*` environment.
//! Unknown keys in the file or the environment stop start-up with a message naming them,
//! so a typo never silently falls back to a default.

use crate::authn::codes::CodePolicy;
use crate::authn::password::Argon2Params;
use crate::keys::SigningAlg;
use crate::notify::NotifyConfig;
use crate::verify::VerificationConfig;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The issuer URL portals see; every endpoint URL is derived from it.
    pub issuer: String,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://data/propusk.db` (embedded default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Directory of signing keys (`keys.json` + PEM files), generated when empty.
    pub keys_dir: PathBuf,
    /// TLS termination; absent means plain HTTP (behind a TLS proxy, or loopback dev).
    pub tls: Option<TlsConfig>,
    pub tokens: TokenConfig,
    pub session: SessionConfig,
    pub password_hash: Argon2Params,
    pub log: LogConfig,
    /// Delivery of codes and notices (SMS gateway, SMTP; the dev outbox by default).
    pub notify: NotifyConfig,
    /// One-time codes: life, tries, resend cool-down.
    pub codes: CodePolicy,
    /// Personal-data verification (the registry verifier and its worker).
    pub verification: VerificationConfig,
    /// Login with a qualified electronic signature (client certificate).
    pub certificate_login: crate::authn::certificate::CertificateConfig,
    /// Wrong passwords and second-factor codes in a row before a lock, and its length.
    pub lockout: crate::authn::second_factor::LockoutConfig,
    /// Second factors: trusted browsers, the TOTP issuer name.
    pub second_factor: crate::authn::second_factor::SecondFactorConfig,
    /// Our own reverse proxies (addresses or CIDR ranges): only from them is
    /// `client_ip_header` believed (`http/client_ip.rs`).
    pub trusted_proxies: Vec<crate::http::client_ip::TrustedProxy>,
    /// Where a trusted proxy puts the client's address: `X-Forwarded-For` (read from the
    /// right) or `X-Real-IP`.
    pub client_ip_header: String,
    /// Per-IP and per-identifier limits on logins, code sending, registration and
    /// recovery (in each node's memory).
    pub rate_limits: crate::http::rate_limit::config::RateLimitConfig,
    /// Delivery of OpenID Connect back-channel logout tokens to portals.
    pub backchannel_logout: crate::http::backchannel::config::BackchannelConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenConfig {
    /// Authorization code lifetime, seconds (DESIGN.md: at most 60).
    pub code_ttl: i64,
    pub access_token_ttl: i64,
    pub id_token_ttl: i64,
    pub refresh_token_ttl: i64,
    /// How long a paused login (interaction) may wait for the citizen.
    pub interaction_ttl: i64,
    /// Access tokens are JWTs signed with this algorithm (ES256: RSA signing is ~30x slower).
    pub access_token_alg: SigningAlg,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// A session ends after this many seconds without activity.
    pub idle_timeout: i64,
    /// … and after this many seconds in any case.
    pub absolute_lifetime: i64,
    /// `auto`: Secure cookies unless the issuer is plain http on a loopback host.
    pub secure_cookies: SecureCookies,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    Auto,
    Always,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// tracing filter, e.g. `info` or `propusk=debug,tower_http=info`; RUST_LOG wins if set.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            issuer: "http://127.0.0.1:8080".to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/propusk.db".to_owned(),
            keys_dir: PathBuf::from("keys"),
            tls: None,
            tokens: TokenConfig::default(),
            session: SessionConfig::default(),
            password_hash: Argon2Params::default(),
            log: LogConfig::default(),
            notify: NotifyConfig::default(),
            codes: CodePolicy::default(),
            verification: VerificationConfig::default(),
            certificate_login: crate::authn::certificate::CertificateConfig::default(),
            lockout: crate::authn::second_factor::LockoutConfig::default(),
            second_factor: crate::authn::second_factor::SecondFactorConfig::default(),
            trusted_proxies: Vec::new(),
            client_ip_header: "X-Forwarded-For".to_owned(),
            rate_limits: crate::http::rate_limit::config::RateLimitConfig::default(),
            backchannel_logout: crate::http::backchannel::config::BackchannelConfig::default(),
        }
    }
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            code_ttl: 60,
            access_token_ttl: 600,
            id_token_ttl: 3600,
            refresh_token_ttl: 30 * 24 * 3600,
            interaction_ttl: 3600,
            access_token_alg: SigningAlg::ES256,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            idle_timeout: 30 * 60,
            absolute_lifetime: 12 * 3600,
            secure_cookies: SecureCookies::Auto,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Text,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} not found")]
    Missing(PathBuf),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// Environment variables that start with `PROPUSK_` but are not configuration keys:
/// the CLI's `--config` and the test suite's database URL.
const NOT_CONFIG_ENV: &[&str] = &["CONFIG", "TEST_DATABASE_URL"];

impl Config {
    /// Load from `file` (must exist when given), else from `./propusk.toml` when present,
    /// else the defaults; then apply `PROPUSK_*` variables (nested keys with `__`, e.g.
    /// `PROPUSK_TOKENS__ACCESS_TOKEN_TTL=300`, `PROPUSK_TLS__CERT_FILE=…`).
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.to_owned())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("propusk.toml").exists() => {
                figment = figment.merge(Toml::file_exact("propusk.toml"));
            }
            None => {}
        }
        figment = figment.merge(Env::prefixed("PROPUSK_").ignore(NOT_CONFIG_ENV).split("__"));
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Cross-field rules that serde cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let issuer = url::Url::parse(&self.issuer)
            .map_err(|e| ConfigError::Invalid(format!("issuer: {e}")))?;
        if !matches!(issuer.scheme(), "https" | "http")
            || issuer.query().is_some()
            || issuer.fragment().is_some()
        {
            return Err(ConfigError::Invalid(
                "issuer: must be an http(s) URL without query or fragment".into(),
            ));
        }
        if issuer.scheme() == "http" && !is_loopback_url(&issuer) {
            return Err(ConfigError::Invalid(
                "issuer: plain http is allowed only on a loopback host; use https".into(),
            ));
        }
        if self.issuer.ends_with('/') {
            return Err(ConfigError::Invalid("issuer: no trailing slash".into()));
        }
        let t = &self.tokens;
        if !(1..=60).contains(&t.code_ttl) {
            return Err(ConfigError::Invalid(
                "tokens.code_ttl: between 1 and 60 seconds".into(),
            ));
        }
        for (name, v) in [
            ("tokens.access_token_ttl", t.access_token_ttl),
            ("tokens.id_token_ttl", t.id_token_ttl),
            ("tokens.refresh_token_ttl", t.refresh_token_ttl),
            ("tokens.interaction_ttl", t.interaction_ttl),
            ("session.idle_timeout", self.session.idle_timeout),
            ("session.absolute_lifetime", self.session.absolute_lifetime),
            ("codes.ttl", self.codes.ttl),
            ("codes.max_attempts", self.codes.max_attempts),
            ("codes.max_sends", self.codes.max_sends),
            ("codes.confirmed_ttl", self.codes.confirmed_ttl),
            ("codes.postal_ttl", self.codes.postal_ttl),
            ("verification.lease", self.verification.lease),
            ("verification.max_attempts", self.verification.max_attempts),
            ("verification.retry_base", self.verification.retry_base),
            ("lockout.max_failures", self.lockout.max_failures),
            ("lockout.lock_seconds", self.lockout.lock_seconds),
            (
                "second_factor.trusted_device_days",
                self.second_factor.trusted_device_days,
            ),
        ] {
            if v <= 0 {
                return Err(ConfigError::Invalid(format!("{name}: must be positive")));
            }
        }
        self.backchannel_logout
            .validate()
            .map_err(ConfigError::Invalid)?;
        if !self.client_ip_header.is_empty()
            && axum::http::HeaderName::try_from(self.client_ip_header.as_str()).is_err()
        {
            return Err(ConfigError::Invalid(
                "client_ip_header: not a valid header name".into(),
            ));
        }
        Ok(())
    }

    /// Whether cookies get the `Secure` attribute.
    pub fn secure_cookies(&self) -> bool {
        match self.session.secure_cookies {
            SecureCookies::Always => true,
            SecureCookies::Auto => url::Url::parse(&self.issuer)
                .map(|u| u.scheme() == "https" || !is_loopback_url(&u))
                .unwrap_or(true),
        }
    }

    /// The longest time a signed token stays valid: how long a retired key stays published.
    pub fn longest_token_ttl(&self) -> i64 {
        self.tokens.access_token_ttl.max(self.tokens.id_token_ttl)
    }

    /// Where browsers reach the certificate-login listener, when it is on.
    pub fn certificate_origin(&self) -> Option<String> {
        let c = &self.certificate_login;
        if !c.enabled {
            return None;
        }
        if let Some(u) = &c.public_url {
            return Some(u.trim_end_matches('/').to_owned());
        }
        match c.listen {
            Some(addr) => {
                let mut u = url::Url::parse(&self.issuer).ok()?;
                u.set_scheme("https").ok()?;
                u.set_port(Some(addr.port())).ok()?;
                Some(u.origin().ascii_serialization())
            }
            // Behind a proxy the certificate arrives on the issuer's own origin.
            None => Some(self.issuer.clone()),
        }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }
}

fn is_loopback_url(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = Config::default();
        assert_eq!(c.issuer, "http://127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.validate().is_ok());
        assert!(!c.secure_cookies());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "issuer = \"https://id.example.ru\"\nlisten_port = 1\n",
        )
        .unwrap();
        let err = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("listen_port"), "{err}");
    }

    #[test]
    fn file_values_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "issuer = \"https://id.example.ru\"\n[tokens]\naccess_token_ttl = 300\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.issuer, "https://id.example.ru");
        assert_eq!(c.tokens.access_token_ttl, 300);
        assert_eq!(c.tokens.code_ttl, 60);
        assert!(c.secure_cookies());
    }

    #[test]
    fn plain_http_on_a_public_host_is_refused() {
        let c = Config {
            issuer: "http://id.example.ru".into(),
            ..Config::default()
        };
        assert!(c.validate().is_err());
    }

    #[test]
    fn missing_file_is_an_error() {
        assert!(matches!(
            Config::load(Some(Path::new("/nonexistent/propusk.toml"))),
            Err(ConfigError::Missing(_))
        ));
    }
}
