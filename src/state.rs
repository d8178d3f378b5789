//! Everything a handler needs, built once at start-up and passed explicitly
//! (no global config or database handles).

use crate::authn::password::PasswordHasher;
use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppError;
use crate::keys::KeySet;
use crate::notify::Notifier;
use crate::store::Store;
use crate::verify::RegistryVerifier;
use std::sync::{Arc, RwLock};

/// Cloned for every request (axum hands each handler its own copy), so it is one `Arc`:
/// a clone is one reference count, not one per shared part (callgrind: cloning and
/// dropping the ten parts was 3 % of a discovery request's instructions).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub config: Arc<Config>,
    pub store: Store,
    keys: Arc<RwLock<Arc<KeySet>>>,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    /// SMS and e-mail delivery.
    pub notifier: Notifier,
    /// Checks personal data against the registries (the standard level).
    pub verifier: Arc<dyn RegistryVerifier>,
    /// The certification centres trusted for certificate login (when enabled).
    pub certs: Option<Arc<crate::authn::certificate::TrustStore>>,
    /// This server as a WebAuthn relying party (passkeys). `None` when the issuer's host
    /// is an IP address: WebAuthn relying-party IDs are domain names.
    pub webauthn: Option<Arc<crate::authn::passkey::Relying>>,
}

impl AppState {
    /// Connects nothing itself: the caller opens the store (and runs migrations) so that
    /// `main.rs` chooses the backend once.
    pub fn new(config: Config, store: Store, clock: Arc<dyn Clock>) -> Result<AppState, AppError> {
        let keys = KeySet::load_or_init(&config.keys_dir, clock.now())?;
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let hasher = PasswordHasher::new(config.password_hash, workers)?;
        let notifier = Notifier::from_config(&config)?;
        let verifier = crate::verify::from_config(&config.verification)?;
        let cl = &config.certificate_login;
        let certs = if cl.enabled {
            let crls = crate::authn::certificate::CrlSet::default();
            Some(Arc::new(
                crate::authn::certificate::TrustStore::load(&cl.trust_store, crls).map_err(
                    |e| AppError::Internal(format!("certificate_login.trust_store: {e}")),
                )?,
            ))
        } else {
            None
        };
        let webauthn = crate::authn::passkey::Relying::from_issuer(
            &config.issuer,
            &config.second_factor.totp_issuer,
            &config.keys_dir,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map(Arc::new);
        if webauthn.is_none() {
            tracing::info!(
                "passkeys off: the issuer's host is an IP address, WebAuthn needs a domain name"
            );
        }
        Ok(AppState(Arc::new(Shared {
            config: Arc::new(config),
            store,
            keys: Arc::new(RwLock::new(Arc::new(keys))),
            clock,
            hasher,
            notifier,
            verifier,
            certs,
            webauthn,
        })))
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The current key set (cheap: an Arc clone).
    pub fn keys(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(k) => Arc::clone(&k),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-read the keys directory (after `propusk keys rotate`, on SIGHUP).
    pub fn reload_keys(&self) -> Result<(), AppError> {
        let fresh = Arc::new(KeySet::load_or_init(&self.config.keys_dir, self.now())?);
        match self.keys.write() {
            Ok(mut k) => *k = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }
}
