//! Signing keys (RS256, ES256, EdDSA) with `kid`s, the JWKS, JWS signing and
//! verification, and rotation that keeps retired public keys published until the
//! tokens they signed have expired.

mod manifest;
mod material;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use material::Material;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use manifest::{generate, rotate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    RS256,
    ES256,
    EdDSA,
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 3] = [Self::RS256, Self::ES256, Self::EdDSA];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }
}

impl std::str::FromStr for SigningAlg {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| KeyError::UnknownAlg(s.to_owned()))
    }
}

impl std::fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Active,
    Retired,
}

/// A key as the manifest describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: SigningAlg,
    pub status: KeyStatus,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_until: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: malformed manifest: {1}")]
    Manifest(PathBuf, String),
    #[error("key {kid}: {problem}")]
    KeyFile { kid: String, problem: String },
    #[error("unknown signing algorithm {0}: use RS256, ES256 or EdDSA")]
    UnknownAlg(String),
    #[error("no active {0} key")]
    NoActiveKey(SigningAlg),
    #[error("{0}: no keys (run `propusk keys generate` or start the server once)")]
    Empty(PathBuf),
    #[error("crypto: {0}")]
    Crypto(String),
    #[error("token: {0}")]
    BadToken(&'static str),
}

impl KeyError {
    /// A presented token failed verification (as opposed to an internal failure).
    pub fn is_bad_token(&self) -> bool {
        matches!(self, Self::BadToken(_))
    }
}

struct LoadedKey {
    info: KeyInfo,
    material: Material,
}

/// The keys loaded from the directory: immutable, shared behind an `Arc`.
pub struct KeySet {
    keys: Vec<LoadedKey>,
    /// The JWKS as served, serialized once (the set never changes; a reload makes a
    /// new one).
    jwks_json: Arc<[u8]>,
}

#[derive(Debug)]
pub struct Verified<T> {
    pub claims: T,
    pub kid: String,
    pub alg: SigningAlg,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    kid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    typ: Option<String>,
}

impl KeySet {
    /// Load the directory; when it holds no keys, generate one per algorithm.
    pub fn load_or_init(dir: &Path, now: i64) -> Result<KeySet, KeyError> {
        if manifest::read(dir)?.is_empty() {
            for alg in SigningAlg::ALL {
                generate(dir, alg, now, 0)?;
            }
        }
        Self::load(dir, now)
    }

    /// Load only; retired keys past `publish_until` are left out.
    pub fn load(dir: &Path, now: i64) -> Result<KeySet, KeyError> {
        let infos = manifest::read(dir)?;
        if infos.is_empty() {
            return Err(KeyError::Empty(dir.to_owned()));
        }
        let mut keys = Vec::new();
        for info in infos
            .into_iter()
            .filter(|k| manifest::still_published(k, now))
        {
            let der = manifest::read_pem(dir, &info.kid)?;
            let material = Material::from_pkcs8(info.alg, &der).map_err(|e| KeyError::KeyFile {
                kid: info.kid.clone(),
                problem: e.to_string(),
            })?;
            keys.push(LoadedKey { info, material });
        }
        let jwks =
            serde_json::to_vec(&jwks_of(&keys)).map_err(|e| KeyError::Crypto(e.to_string()))?;
        Ok(KeySet {
            keys,
            jwks_json: jwks.into(),
        })
    }

    pub fn list(&self) -> Vec<KeyInfo> {
        self.keys.iter().map(|k| k.info.clone()).collect()
    }

    pub fn jwks(&self) -> serde_json::Value {
        jwks_of(&self.keys)
    }

    /// The JWKS document, serialized.
    pub fn jwks_json(&self) -> Arc<[u8]> {
        Arc::clone(&self.jwks_json)
    }

    /// Compact JWS signed by the active key of `alg`.
    pub fn sign<T: Serialize>(
        &self,
        alg: SigningAlg,
        typ: &str,
        claims: &T,
    ) -> Result<String, KeyError> {
        let key = self
            .keys
            .iter()
            .find(|k| k.info.alg == alg && k.info.status == KeyStatus::Active)
            .ok_or(KeyError::NoActiveKey(alg))?;
        let header = Header {
            alg: alg.as_str().to_owned(),
            kid: key.info.kid.clone(),
            typ: Some(typ.to_owned()),
        };
        let enc = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        let header = serde_json::to_vec(&header).map_err(|e| KeyError::Crypto(e.to_string()))?;
        let payload = serde_json::to_vec(claims).map_err(|e| KeyError::Crypto(e.to_string()))?;
        let signing_input = format!("{}.{}", enc(&header), enc(&payload));
        let sig = key.material.sign(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", enc(&sig)))
    }

    /// Check the signature of a compact JWS made by one of these keys (found by `kid`;
    /// the header's `alg` must be the key's). Nothing else is checked.
    pub fn verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Verified<T>, KeyError> {
        let jws = self.parse(token)?;
        if !jws
            .key
            .material
            .verify(jws.signing_input.as_bytes(), &jws.signature()?)
        {
            return Err(KeyError::BadToken("bad signature"));
        }
        jws.verified()
    }

    /// The claims of a compact JWS whose header names one of these keys with its `alg`,
    /// WITHOUT checking the signature. Only for a caller that then proves the token
    /// another way: `http::access` compares the whole token with the hash stored when
    /// it was issued, and falls back to `verify` when that does not hold.
    pub fn unverified<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<Verified<T>, KeyError> {
        self.parse(token)?.verified()
    }

    fn parse<'t>(&self, token: &'t str) -> Result<Jws<'_, 't>, KeyError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(KeyError::BadToken("not a compact JWS"));
        };
        let header: Header =
            serde_json::from_slice(&b64(h)?).map_err(|_| KeyError::BadToken("bad header"))?;
        let key = self
            .keys
            .iter()
            .find(|k| k.info.kid == header.kid)
            .ok_or(KeyError::BadToken("unknown kid"))?;
        if header.alg != key.info.alg.as_str() {
            return Err(KeyError::BadToken("alg does not match the key"));
        }
        Ok(Jws {
            key,
            signing_input: &token[..h.len() + 1 + p.len()],
            payload: p,
            signature: s,
        })
    }
}

/// A compact JWS split up, its header checked against the key set.
struct Jws<'k, 't> {
    key: &'k LoadedKey,
    signing_input: &'t str,
    payload: &'t str,
    signature: &'t str,
}

impl Jws<'_, '_> {
    fn signature(&self) -> Result<Vec<u8>, KeyError> {
        b64(self.signature)
    }

    fn verified<T: serde::de::DeserializeOwned>(&self) -> Result<Verified<T>, KeyError> {
        let claims = serde_json::from_slice(&b64(self.payload)?)
            .map_err(|_| KeyError::BadToken("unexpected claims"))?;
        Ok(Verified {
            claims,
            kid: self.key.info.kid.clone(),
            alg: self.key.info.alg,
        })
    }
}

fn b64(v: &str) -> Result<Vec<u8>, KeyError> {
    URL_SAFE_NO_PAD
        .decode(v)
        .map_err(|_| KeyError::BadToken("bad base64url"))
}

fn jwks_of(keys: &[LoadedKey]) -> serde_json::Value {
    let keys: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| k.material.public_jwk(&k.info.kid, k.info.alg))
        .collect();
    serde_json::json!({ "keys": keys })
}

#[cfg(test)]
mod tests;
