//! The claims propusk signs: ID tokens (OIDC Core §2), JWT access tokens (RFC 9068)
//! and the userinfo document, with what each scope releases.

use super::scope::Scopes;
use crate::account::{Snils, TrustLevel};
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::store::records::AccountRecord;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256, Sha512};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: UnixTime,
    pub iat: UnixTime,
    pub auth_time: UnixTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub acr: String,
    pub amr: Vec<String>,
    pub azp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// The account's trust level and whether the identity is confirmed in person or by
    /// qualified signature: portals decide on these (REQUIREMENTS.md trust levels).
    pub trust_level: String,
    pub identity_confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: UnixTime,
    pub iat: UnixTime,
    pub jti: String,
    pub client_id: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<UnixTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
}

/// The parts of an `id_token_hint` that matter; `aud` may be a string or a list.
#[derive(Debug, Clone, Deserialize)]
pub struct IdTokenHint {
    pub iss: String,
    pub sub: String,
    pub aud: OneOrMany,
    #[serde(default)]
    pub sid: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn first(&self) -> Option<&str> {
        match self {
            Self::One(s) => Some(s),
            Self::Many(v) => v.first().map(String::as_str),
        }
    }
    pub fn contains(&self, s: &str) -> bool {
        match self {
            Self::One(o) => o == s,
            Self::Many(v) => v.iter().any(|o| o == s),
        }
    }
}

/// OIDC Core §3.1.3.6: the left half of the hash of the access token, the hash being
/// the one of the signing algorithm (SHA-256 for RS256/ES256, SHA-512 for Ed25519).
pub fn at_hash(access_token: &str, alg: SigningAlg) -> String {
    let digest: Vec<u8> = match alg {
        SigningAlg::RS256 | SigningAlg::ES256 => Sha256::digest(access_token.as_bytes()).to_vec(),
        SigningAlg::EdDSA => Sha512::digest(access_token.as_bytes()).to_vec(),
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

pub fn trust_level(account: &AccountRecord) -> TrustLevel {
    TrustLevel::parse(&account.trust_level).unwrap_or(TrustLevel::Simplified)
}

/// The claims each scope releases (userinfo). `sub` is always there.
pub fn userinfo(account: &AccountRecord, scopes: &Scopes) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sub".into(), json!(account.id));
    if scopes.contains("profile") || scopes.contains("fullname") {
        m.insert("name".into(), json!(full_name(account)));
        m.insert("family_name".into(), json!(account.family_name));
        m.insert("given_name".into(), json!(account.given_name));
        if let Some(middle) = &account.middle_name {
            m.insert("middle_name".into(), json!(middle));
        }
    }
    if scopes.contains("profile") {
        m.insert("updated_at".into(), json!(account.updated_at));
        m.insert("trust_level".into(), json!(trust_level(account).as_str()));
    }
    if scopes.contains("email")
        && let Some(email) = &account.email
    {
        m.insert("email".into(), json!(email));
        m.insert("email_verified".into(), json!(account.email_verified));
    }
    if scopes.contains("phone")
        && let Some(phone) = &account.phone
    {
        m.insert("phone_number".into(), json!(phone));
        m.insert(
            "phone_number_verified".into(),
            json!(account.phone_verified),
        );
    }
    if scopes.contains("snils")
        && let Some(snils) = &account.snils
    {
        let shown = Snils::parse(snils)
            .map(|s| s.formatted())
            .unwrap_or_else(|_| snils.clone());
        m.insert("snils".into(), json!(shown));
    }
    m
}

/// "Иванов Иван Иванович": ESIA shows the surname first.
pub fn full_name(a: &AccountRecord) -> String {
    let mut parts = vec![a.family_name.as_str(), a.given_name.as_str()];
    if let Some(m) = &a.middle_name {
        parts.push(m);
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// Every claim name `userinfo` can produce, for discovery's `claims_supported`.
pub const CLAIMS_SUPPORTED: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "sid",
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "updated_at",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "snils",
    "trust_level",
    "identity_confirmed",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> AccountRecord {
        AccountRecord {
            id: "acc1".into(),
            family_name: "Иванов".into(),
            given_name: "Иван".into(),
            middle_name: Some("Иванович".into()),
            phone: Some("+79123456789".into()),
            email: Some("ivan@example.ru".into()),
            snils: Some("11223344595".into()),
            phone_verified: true,
            email_verified: false,
            password_hash: None,
            trust_level: "simplified".into(),
            status: "active".into(),
            created_at: 1,
            updated_at: 2,
        }
    }

    #[test]
    fn each_scope_releases_only_its_claims() {
        let a = account();
        let only_openid = userinfo(&a, &Scopes::parse_supported("openid"));
        assert_eq!(only_openid.len(), 1);
        let email = userinfo(&a, &Scopes::parse_supported("openid email"));
        assert_eq!(email["email"], "ivan@example.ru");
        assert_eq!(email["email_verified"], false);
        assert!(!email.contains_key("phone_number"));
        let all = userinfo(&a, &Scopes::parse_supported("openid profile phone snils"));
        assert_eq!(all["name"], "Иванов Иван Иванович");
        assert_eq!(all["phone_number"], "+79123456789");
        assert_eq!(all["snils"], "112-233-445 95");
        assert!(!all.contains_key("email"));
    }

    #[test]
    fn at_hash_matches_the_spec_example_shape() {
        // Left 128 bits of SHA-256, base64url: 22 characters.
        assert_eq!(at_hash("token", SigningAlg::RS256).len(), 22);
        assert_eq!(at_hash("token", SigningAlg::EdDSA).len(), 43);
    }
}
