//! Argon2id password hashing, off the async runtime: every hash runs on the hashing
//! threads (`hash_pool`: one per core, at a lower priority, with their memory kept), so
//! a burst of logins queues there instead of starving every other request
//! (DESIGN.md §10).

use super::hash_pool::{HashPool, Memory};
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use subtle::ConstantTimeEq as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Argon2Params {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's Argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// The password as typed: never printed, never copied.
pub struct Password(String);

impl Password {
    pub fn new(s: String) -> Self {
        Self(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// `needs_rehash`: the stored hash used other parameters than the configured ones.
    Match {
        needs_rehash: bool,
    },
    Mismatch,
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(String),
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("stored password hash is malformed: {0}")]
    Malformed(String),
    #[error("hashing task failed: {0}")]
    Join(String),
}

#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    params: Params,
    pool: HashPool,
    /// A PHC string with the configured parameters, a random salt and a random output,
    /// verified when no account matches so that an unknown login costs the same time
    /// as a wrong password (the verification computes the full hash and compares; no
    /// password matches random output).
    dummy: String,
}

impl PasswordHasher {
    pub fn new(p: Argon2Params, max_parallel: usize) -> Result<Self, PasswordError> {
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        let dummy = dummy_phc(&params)?;
        Ok(Self {
            inner: Arc::new(Inner {
                params,
                pool: HashPool::new(max_parallel.max(1))
                    .map_err(|e| PasswordError::Join(e.to_string()))?,
                dummy,
            }),
        })
    }

    pub async fn hash(&self, password: &Password) -> Result<String, PasswordError> {
        let pw = password.expose().as_bytes().to_vec();
        let params = self.inner.params.clone();
        self.run(move |memory| hash_with(&params, &pw, memory))
            .await?
    }

    /// Verify against a stored PHC string; `None` (no such account) verifies the dummy
    /// hash and answers `Mismatch`.
    pub async fn verify(
        &self,
        password: &Password,
        stored: Option<&str>,
    ) -> Result<Verified, PasswordError> {
        let pw = password.expose().as_bytes().to_vec();
        let (target, real) = match stored {
            Some(s) => (s.to_owned(), true),
            None => (self.inner.dummy.clone(), false),
        };
        let current = self.inner.params.clone();
        let matched = self
            .run(move |memory| -> Result<Option<bool>, PasswordError> {
                let hash = PasswordHash::new(&target)
                    .map_err(|e| PasswordError::Malformed(e.to_string()))?;
                let ok = verify_with(&hash, &pw, memory)?;
                Ok(ok.then(|| needs_rehash(&hash, &current)))
            })
            .await??;
        Ok(match (real, matched) {
            (true, Some(needs_rehash)) => Verified::Match { needs_rehash },
            _ => Verified::Mismatch,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        self.inner
            .pool
            .run(f)
            .await
            .map_err(|e| PasswordError::Join(e.to_string()))
    }
}

/// The dummy: made without hashing, so start-up neither waits for Argon2 nor leaves its
/// memory (19 MiB at the defaults) with the allocator of an idle server.
fn dummy_phc(params: &Params) -> Result<String, PasswordError> {
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = vec![0u8; len];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut out);
    phc(params, Salt::generate(), &out)
}

fn phc(params: &Params, salt: Salt, out: &[u8]) -> Result<String, PasswordError> {
    let err = |e: &dyn fmt::Display| PasswordError::Hash(e.to_string());
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| err(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(out).map_err(|e| err(&e))?),
    };
    Ok(phc.to_string())
}

/// A new PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) computed in `memory`; the
/// same string the crate's `hash_password` makes.
fn hash_with(
    params: &Params,
    password: &[u8],
    memory: &mut Memory,
) -> Result<String, PasswordError> {
    let err = |e: &dyn fmt::Display| PasswordError::Hash(e.to_string());
    let salt = Salt::generate();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut out = vec![0u8; len];
    argon
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .map_err(|e| err(&e))?;
    phc(params, salt, &out)
}

/// Recompute a stored hash with its own algorithm, version, parameters and salt in
/// `memory`, and compare in constant time.
fn verify_with(
    hash: &PasswordHash,
    password: &[u8],
    memory: &mut Memory,
) -> Result<bool, PasswordError> {
    let bad = |e: &dyn fmt::Display| PasswordError::Malformed(e.to_string());
    let algorithm = Algorithm::try_from(hash.algorithm.as_str()).map_err(|e| bad(&e))?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|e| bad(&e))?,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return Err(PasswordError::Malformed("no salt or hash".into()));
    };
    let params = Params::try_from(hash).map_err(|e| bad(&e))?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password,
            salt,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

fn needs_rehash(hash: &PasswordHash, current: &Params) -> bool {
    if hash.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(hash) {
        Ok(p) => {
            p.m_cost() != current.m_cost()
                || p.t_cost() != current.t_cost()
                || p.p_cost() != current.p_cost()
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Argon2Params {
        Argon2Params {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[tokio::test]
    async fn hash_verify_and_mismatch() {
        let h = PasswordHasher::new(small(), 2).unwrap();
        let stored = h
            .hash(&Password::new("Correct!Horse9".into()))
            .await
            .unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(
            h.verify(&Password::new("Correct!Horse9".into()), Some(&stored))
                .await
                .unwrap(),
            Verified::Match {
                needs_rehash: false
            }
        );
        assert_eq!(
            h.verify(&Password::new("wrong".into()), Some(&stored))
                .await
                .unwrap(),
            Verified::Mismatch
        );
        assert_eq!(
            h.verify(&Password::new("Correct!Horse9".into()), None)
                .await
                .unwrap(),
            Verified::Mismatch
        );
        assert!(
            h.verify(&Password::new("x".into()), Some("not-a-hash"))
                .await
                .is_err()
        );
    }

    #[test]
    fn the_dummy_has_the_configured_parameters_and_a_fresh_salt() {
        let a = PasswordHasher::new(small(), 1).unwrap();
        let b = PasswordHasher::new(small(), 1).unwrap();
        let dummy = PasswordHash::new(&a.inner.dummy).unwrap();
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        assert!(
            !needs_rehash(&dummy, &a.inner.params),
            "same cost as a real hash"
        );
        assert_eq!(dummy.hash.map(|h| h.len()), Some(32));
        assert_ne!(a.inner.dummy, b.inner.dummy);
    }

    #[tokio::test]
    async fn changed_parameters_ask_for_a_rehash() {
        let old = PasswordHasher::new(small(), 1).unwrap();
        let stored = old
            .hash(&Password::new("Correct!Horse9".into()))
            .await
            .unwrap();
        let new = PasswordHasher::new(
            Argon2Params {
                memory_kib: 512,
                ..small()
            },
            1,
        )
        .unwrap();
        assert_eq!(
            new.verify(&Password::new("Correct!Horse9".into()), Some(&stored))
                .await
                .unwrap(),
            Verified::Match { needs_rehash: true }
        );
        assert_eq!(
            format!("{:?}", Password::new("secret".into())),
            "Password(***)"
        );
    }
}
