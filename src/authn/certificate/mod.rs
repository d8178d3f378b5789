//! Login with an X.509 certificate (a qualified electronic signature): reading the
//! holder's identifiers, verifying the chain against the configured trust store with
//! revocation lists, and taking the certificate from a TLS handshake or from a trusted
//! reverse proxy's header. The HTTP side is in `http/certificate.rs`.

mod crl;
mod identity;
mod proxy;
mod trust;

pub use crl::{CrlSet, spawn_refresh};
pub use identity::CertIdentity;
pub use proxy::{cert_from_header, is_trusted_proxy};
pub use trust::{AcceptAnyClientCert, TrustStore};

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Why a certificate cannot log in: each is shown to the citizen in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("no certificate was presented")]
    NotPresented,
    #[error("the certificate cannot be read")]
    Malformed,
    #[error("the certificate has expired")]
    Expired,
    #[error("the certificate is not valid yet")]
    NotYetValid,
    #[error("the certificate was not issued by a trusted certification centre")]
    Untrusted,
    #[error("the certificate has been revoked")]
    Revoked,
    #[error("the certificate may not be used for signing in")]
    WrongKeyUsage,
    #[error("the certificate carries no SNILS")]
    NoSnils,
    #[error("no account has the certificate's SNILS")]
    NoAccount,
    #[error("the certificate's SNILS differs from the account's")]
    OtherSnils,
}

impl CertError {
    /// The error code shown on the page and written to the log.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPresented => "certificate_not_found",
            Self::Malformed => "certificate_malformed",
            Self::Expired => "certificate_expired",
            Self::NotYetValid => "certificate_not_yet_valid",
            Self::Untrusted => "certificate_untrusted",
            Self::Revoked => "certificate_revoked",
            Self::WrongKeyUsage => "certificate_key_usage",
            Self::NoSnils => "certificate_without_snils",
            Self::NoAccount => "no_account_for_snils",
            Self::OtherSnils => "certificate_other_snils",
        }
    }
}

/// `[certificate_login]` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CertificateConfig {
    pub enabled: bool,
    /// A second TLS listener (same certificate as `[tls]`) that asks browsers for a
    /// client certificate. Absent: certificates only arrive through a trusted proxy.
    pub listen: Option<SocketAddr>,
    /// The origin of that listener as browsers reach it, e.g. `https://id.example.ru:8443`;
    /// defaults to the issuer's host with the listener's port.
    pub public_url: Option<String>,
    /// PEM bundle of the accredited certification centres' root certificates (and any
    /// intermediates the clients do not send).
    pub trust_store: PathBuf,
    /// CRL files (DER or PEM) and URLs, re-read every `crl_refresh` seconds.
    pub crl_files: Vec<PathBuf>,
    pub crl_urls: Vec<String>,
    pub crl_refresh: u64,
    /// Reverse proxies allowed to pass the client certificate in `proxy_header`
    /// (nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`).
    pub trusted_proxies: Vec<IpAddr>,
    pub proxy_header: String,
    /// The proxy verified the chain itself (nginx `ssl_verify_client on` with a GOST
    /// engine): propusk then reads the certificate without checking its signature chain
    /// (which it cannot do for GOST), but still checks dates, key usage and the CRLs.
    pub proxy_verifies_chain: bool,
}

impl Default for CertificateConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: None,
            public_url: None,
            trust_store: PathBuf::from("keys/client-ca.pem"),
            crl_files: Vec::new(),
            crl_urls: Vec::new(),
            crl_refresh: 3600,
            trusted_proxies: Vec::new(),
            proxy_header: "X-SSL-Client-Cert".to_owned(),
            proxy_verifies_chain: false,
        }
    }
}
