//! One signing key: generation, PKCS#8 PEM on disk, JWS signing and verification, and
//! its public JWK. aws-lc-rs does the cryptography (BUILD-NOTES.md: the provider used
//! everywhere in propusk).

use super::{KeyError, SigningAlg};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub enum Material {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
}

impl Material {
    pub fn generate(alg: SigningAlg) -> Result<(Material, Vec<u8>), KeyError> {
        let failed = |_| KeyError::Crypto(format!("generating an {} key", alg.as_str()));
        let pkcs8: Vec<u8> = match alg {
            SigningAlg::RS256 => {
                let kp = RsaKeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
                kp.as_der().map_err(failed)?.as_ref().to_vec()
            }
            SigningAlg::ES256 => {
                let kp = EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(failed)?;
                kp.to_pkcs8v1().map_err(failed)?.as_ref().to_vec()
            }
            SigningAlg::EdDSA => {
                let kp = Ed25519KeyPair::generate().map_err(failed)?;
                kp.to_pkcs8().map_err(failed)?.as_ref().to_vec()
            }
        };
        Ok((Material::from_pkcs8(alg, &pkcs8)?, pkcs8))
    }

    pub fn from_pkcs8(alg: SigningAlg, der: &[u8]) -> Result<Material, KeyError> {
        let bad = |e: aws_lc_rs::error::KeyRejected| {
            KeyError::Crypto(format!("{} key rejected: {e}", alg.as_str()))
        };
        Ok(match alg {
            SigningAlg::RS256 => Material::Rsa(RsaKeyPair::from_pkcs8(der).map_err(bad)?),
            SigningAlg::ES256 => Material::Ec(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(bad)?,
            ),
            SigningAlg::EdDSA => {
                Material::Ed(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(bad)?)
            }
        })
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = SystemRandom::new();
        let failed = |_| KeyError::Crypto("signing failed".into());
        Ok(match self {
            Material::Rsa(kp) => {
                let mut sig = vec![0u8; kp.public_modulus_len()];
                kp.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(failed)?;
                sig
            }
            // FIXED: r || s, 64 bytes, as JWS wants (RFC 7518 §3.4), not ASN.1.
            Material::Ec(kp) => kp.sign(&rng, message).map_err(failed)?.as_ref().to_vec(),
            Material::Ed(kp) => kp.sign(message).as_ref().to_vec(),
        })
    }

    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        match self {
            Material::Rsa(kp) => UnparsedPublicKey::new(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                kp.public_key().as_ref(),
            )
            .verify(message, sig)
            .is_ok(),
            Material::Ec(kp) => UnparsedPublicKey::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                kp.public_key().as_ref(),
            )
            .verify(message, sig)
            .is_ok(),
            Material::Ed(kp) => {
                UnparsedPublicKey::new(&signature::ED25519, kp.public_key().as_ref())
                    .verify(message, sig)
                    .is_ok()
            }
        }
    }

    /// The public JWK (RFC 7517/7518/8037): no private members.
    pub fn public_jwk(&self, kid: &str, alg: SigningAlg) -> Value {
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let mut jwk = match self {
            Material::Rsa(kp) => {
                let pk = kp.public_key();
                json!({
                    "kty": "RSA",
                    "n": b64(pk.modulus().big_endian_without_leading_zero()),
                    "e": b64(pk.exponent().big_endian_without_leading_zero()),
                })
            }
            Material::Ec(kp) => {
                // Uncompressed point: 0x04 || x (32) || y (32).
                let point = kp.public_key().as_ref();
                let (x, y) = point
                    .get(1..)
                    .unwrap_or_default()
                    .split_at(32.min(point.len().saturating_sub(1)));
                json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y) })
            }
            Material::Ed(kp) => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(kp.public_key().as_ref()) })
            }
        };
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(alg.as_str());
        jwk["use"] = json!("sig");
        jwk
    }
}

pub fn to_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PRIVATE KEY-----\n");
    out
}

pub fn from_pem(pem: &str) -> Option<Vec<u8>> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "-----BEGIN PRIVATE KEY-----")
        .skip(1)
        .take_while(|l| *l != "-----END PRIVATE KEY-----")
        .collect();
    STANDARD.decode(body).ok().filter(|d| !d.is_empty())
}
