//! Passkeys (WebAuthn Level 3 with webauthn-rs): the relying party built from the
//! issuer, the ceremonies in the shapes the pages need, and decoy challenges so that
//! asking for a passkey login does not tell whether an account exists. No storage and
//! no clock reads; the ceremony state is handed to the caller, who keeps it in the
//! database (never in a cookie: a replayed state would replay the challenge).
//!
//! `amr` (RFC 8176): a passkey is proof of possession of a key an authenticator guards
//! (`hwk`), and webauthn-rs' passkey policy *requires* user verification — a PIN or a
//! biometric on the device, which RFC 8176 has no single value for, so `user`. As a
//! second factor it adds `hwk` to the password's `pwd`; as a passwordless login it is
//! two factors by itself: `["hwk", "user", "mfa"]`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::path::Path;
use webauthn_rs::fake::{FakePasskeyDistribution, WebauthnFakeCredentialGenerator};
use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, WebauthnError,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The `amr` method a passkey adds as a second factor.
pub const METHOD: &str = "hwk";

/// The session's `amr` after a passwordless passkey login (user verification included).
pub fn passwordless_amr() -> Vec<String> {
    vec!["hwk".to_owned(), "user".to_owned(), "mfa".to_owned()]
}

/// How long a started ceremony may wait for the authenticator (the WebAuthn default
/// timeout; the citizen may need to find a security key or type a PIN).
pub const CEREMONY_SECONDS: i64 = 300;

/// The decoy key: beside the signing keys, so every node behind the balancer gives the
/// same decoys for the same login (a different answer per node would give the game away).
const DECOY_KEY_FILE: &str = "passkey-decoy.key";

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("passkeys: {0}")]
    Config(String),
    /// What the browser posted is not a credential at all.
    #[error("malformed credential: {0}")]
    Malformed(String),
    /// A well-formed credential the ceremony refuses (wrong challenge, origin, signature,
    /// counter, no user verification …).
    #[error("refused: {0}")]
    Refused(#[from] WebauthnError),
}

/// This server as a WebAuthn relying party.
pub struct Relying {
    webauthn: Webauthn,
    decoys: WebauthnFakeCredentialGenerator<FakePasskeyDistribution>,
    rp_id: String,
}

/// Who a new passkey is for (names only shown by the authenticator).
pub struct User<'a> {
    pub account_id: &'a str,
    pub login: &'a str,
    pub display_name: &'a str,
}

/// What a passwordless login start keeps: a real ceremony, or a decoy that no
/// assertion can pass.
#[derive(Serialize, Deserialize)]
pub enum LoginCeremony {
    Real(PasskeyAuthentication),
    Decoy,
}

impl Relying {
    /// The relying party of `issuer`: its host is the RP ID, its origin the only origin
    /// accepted. `None` when the host is an IP address: WebAuthn RP IDs are domain names
    /// (browsers refuse IP addresses; `localhost` works for development).
    pub fn from_issuer(
        issuer: &str,
        rp_name: &str,
        keys_dir: &Path,
    ) -> Result<Option<Relying>, PasskeyError> {
        let url = Url::parse(issuer).map_err(|e| PasskeyError::Config(format!("issuer: {e}")))?;
        let Some(host) = url.domain() else {
            return Ok(None);
        };
        let origin = Url::parse(&url.origin().ascii_serialization())
            .map_err(|e| PasskeyError::Config(format!("issuer origin: {e}")))?;
        let webauthn = WebauthnBuilder::new(host, &origin)?
            .rp_name(rp_name)
            .build()?;
        let decoys = WebauthnFakeCredentialGenerator::new(&decoy_key(keys_dir)?)?;
        Ok(Some(Relying {
            webauthn,
            decoys,
            rp_id: host.to_owned(),
        }))
    }

    /// A registration challenge; `existing` are the account's passkeys (the browser
    /// refuses to register an authenticator twice).
    pub fn start_registration(
        &self,
        user: &User<'_>,
        existing: &[Passkey],
    ) -> Result<(CreationChallengeResponse, PasskeyRegistration), PasskeyError> {
        let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
        Ok(self.webauthn.start_passkey_registration(
            user_handle(user.account_id),
            user.login,
            user.display_name,
            Some(exclude),
        )?)
    }

    pub fn finish_registration(
        &self,
        credential_json: &str,
        state: &PasskeyRegistration,
    ) -> Result<Passkey, PasskeyError> {
        let reg: RegisterPublicKeyCredential = serde_json::from_str(credential_json)
            .map_err(|e| PasskeyError::Malformed(e.to_string()))?;
        Ok(self.webauthn.finish_passkey_registration(&reg, state)?)
    }

    /// An authentication challenge for these passkeys (user verification required).
    pub fn start_authentication(
        &self,
        passkeys: &[Passkey],
    ) -> Result<(RequestChallengeResponse, PasskeyAuthentication), PasskeyError> {
        Ok(self.webauthn.start_passkey_authentication(passkeys)?)
    }

    pub fn finish_authentication(
        &self,
        assertion: &PublicKeyCredential,
        state: &PasskeyAuthentication,
    ) -> Result<AuthenticationResult, PasskeyError> {
        let result = self
            .webauthn
            .finish_passkey_authentication(assertion, state)?;
        // The policy already demands it; checked again because `amr` relies on it.
        if !result.user_verified() {
            return Err(PasskeyError::Refused(WebauthnError::UserNotVerified));
        }
        Ok(result)
    }

    /// The challenge for a login that has no passkeys (or no account): believable
    /// credential IDs derived from the login with the decoy key, the same every time.
    pub fn decoy_challenge(&self, login: &str) -> Result<RequestChallengeResponse, PasskeyError> {
        let ids = self.decoys.generate(login.as_bytes())?;
        let mut challenge = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut challenge[..]);
        let allow: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"type": "public-key", "id": URL_SAFE_NO_PAD.encode(id)}))
            .collect();
        let timeout = u32::try_from(CEREMONY_SECONDS * 1000).unwrap_or(u32::MAX);
        // Built from JSON: the same fields `start_passkey_authentication` fills.
        serde_json::from_value(serde_json::json!({
            "publicKey": {
                "challenge": URL_SAFE_NO_PAD.encode(challenge),
                "timeout": timeout,
                "rpId": self.rp_id,
                "allowCredentials": allow,
                "userVerification": "required",
            }
        }))
        .map_err(|e| PasskeyError::Config(format!("decoy challenge: {e}")))
    }
}

/// A passwordless challenge must look the same for real and decoy logins: transports
/// (which only real credentials carry) are dropped.
pub fn without_transports(mut rcr: RequestChallengeResponse) -> RequestChallengeResponse {
    for c in &mut rcr.public_key.allow_credentials {
        c.transports = None;
    }
    rcr
}

/// The WebAuthn user handle of an account: derived, so nothing new is stored, and
/// opaque (a hash of the already-opaque account id).
pub fn user_handle(account_id: &str) -> Uuid {
    let digest = Sha256::digest(format!("propusk webauthn user handle:{account_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// How a credential ID is kept and compared: base64url without padding.
pub fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// The credential ID an assertion names (the lookup key before verification).
pub fn parse_assertion(json: &str) -> Result<PublicKeyCredential, PasskeyError> {
    serde_json::from_str(json).map_err(|e| PasskeyError::Malformed(e.to_string()))
}

pub fn assertion_key(assertion: &PublicKeyCredential) -> String {
    credential_key(assertion.get_credential_id())
}

/// Read the decoy key, creating it on first start (0600, never overwritten).
fn decoy_key(dir: &Path) -> Result<Vec<u8>, PasskeyError> {
    let path = dir.join(DECOY_KEY_FILE);
    let io = |e: std::io::Error| PasskeyError::Config(format!("{}: {e}", path.display()));
    if !path.exists() {
        use std::io::Write as _;
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut f) => {
                f.write_all(crate::secret::random_b64(32).as_bytes())
                    .map_err(io)?;
                f.sync_all().map_err(io)?;
            }
            // Another node (or process) created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(io)?;
    URL_SAFE_NO_PAD
        .decode(text.trim())
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| PasskeyError::Config(format!("{}: not a 32-byte key", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(dir: &Path) -> Relying {
        Relying::from_issuer("https://id.example.ru", "Propusk", dir)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn an_ip_issuer_has_no_relying_party_and_a_domain_has_one() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Relying::from_issuer("http://127.0.0.1:8080", "P", dir.path())
                .unwrap()
                .is_none()
        );
        assert!(
            Relying::from_issuer("http://localhost:8080", "P", dir.path())
                .unwrap()
                .is_some()
        );
        assert_eq!(rp(dir.path()).rp_id, "id.example.ru");
    }

    #[test]
    fn decoys_are_stable_per_login_and_key_and_shaped_like_real_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = rp(dir.path());
        let b = rp(dir.path());
        let ids = |r: &Relying, login: &str| -> Vec<Vec<u8>> {
            let rcr = r.decoy_challenge(login).unwrap();
            assert_eq!(rcr.public_key.rp_id, "id.example.ru");
            assert!(rcr.mediation.is_none());
            rcr.public_key
                .allow_credentials
                .iter()
                .map(|c| c.id.to_vec())
                .collect()
        };
        // The key file is reused: two starts (two nodes) agree.
        for login in ["phone:+79123456789", "email:a@b.ru", "snils:11223344595"] {
            assert_eq!(ids(&a, login), ids(&b, login));
        }
        let other = tempfile::tempdir().unwrap();
        let c = rp(other.path());
        let differs = ["x1", "x2", "x3", "x4", "x5", "x6"]
            .iter()
            .any(|l| ids(&a, l) != ids(&c, l));
        assert!(differs, "another key gives other decoys");
        // Fresh challenges each time.
        let one = a.decoy_challenge("l").unwrap().public_key.challenge;
        let two = a.decoy_challenge("l").unwrap().public_key.challenge;
        assert_ne!(one, two);
    }

    #[test]
    fn user_handles_are_stable_and_distinct() {
        assert_eq!(user_handle("a"), user_handle("a"));
        assert_ne!(user_handle("a"), user_handle("b"));
        assert_eq!(passwordless_amr(), ["hwk", "user", "mfa"]);
    }
}
