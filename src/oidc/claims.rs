//! The claims propusk signs: ID tokens (OIDC Core §2), JWT access tokens (RFC 9068)
//! and the userinfo document, with what each scope releases.

use super::scope::Scopes;
use crate::account::{Snils, TrustLevel};
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::store::personal::PersonalRow;
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
    /// `client_credentials` on a portal's own token: such a token is self-contained (no
    /// row is written when it is issued; revoking it records its `jti`), so the busiest
    /// grant costs no database write. Citizens' tokens carry no `gty` and have a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
}

/// The grant type named in a self-contained access token's `gty` claim.
pub const SELF_CONTAINED_GTY: &str = "client_credentials";

impl AccessTokenClaims {
    /// A portal's own token (client credentials): live by its signature and expiry, its
    /// portal still enabled, and its `jti` not revoked.
    pub fn is_self_contained(&self) -> bool {
        self.gty.as_deref() == Some(SELF_CONTAINED_GTY)
    }
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
///
/// `personal` is the citizen's personal-data row, needed only for `birthdate`, `gender`,
/// `inn` and `id_doc`; the caller may pass `None` when none of those scopes was granted.
pub fn userinfo(
    account: &AccountRecord,
    scopes: &Scopes,
    personal: Option<&PersonalRow>,
) -> Map<String, Value> {
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
    // ESIA's `contacts` is the citizen's e-mail and mobile number together.
    let contacts = scopes.contains("contacts");
    if (contacts || scopes.contains("email"))
        && let Some(email) = &account.email
    {
        m.insert("email".into(), json!(email));
        m.insert("email_verified".into(), json!(account.email_verified));
    }
    if (contacts || scopes.contains("phone") || scopes.contains("mobile"))
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
    // Documents are released only once the registry has confirmed them: a portal that
    // reads `id_doc` or `inn` acts on them as facts (a tax return, a benefit claim), and
    // data still pending or rejected by the check may be mistyped or someone else's.
    // There is no `*_verified` flag beside them for the same reason: absent means "not
    // confirmed", so a portal cannot forget to look at the flag.
    if let Some(p) = personal.filter(|p| p.is_verified()) {
        personal_claims(&mut m, scopes, p);
    }
    m
}

/// Scopes whose claims come from the personal-data row rather than the account; a
/// caller holding none of them need not load the row.
pub const PERSONAL_SCOPES: &[&str] = &["birthdate", "gender", "inn", "id_doc"];

/// `birthdate`, `gender`, `inn` and `id_doc` from verified personal data.
fn personal_claims(m: &mut Map<String, Value>, scopes: &Scopes, p: &PersonalRow) {
    if scopes.contains("birthdate")
        && let Some(birth) = &p.birth_date
    {
        m.insert("birthdate".into(), json!(birth));
    }
    if scopes.contains("gender")
        && let Some(gender) = &p.gender
    {
        m.insert("gender".into(), json!(gender));
    }
    if scopes.contains("inn")
        && let Some(inn) = &p.inn
    {
        m.insert("inn".into(), json!(inn));
    }
    if scopes.contains("id_doc")
        && let Some(doc) = passport(p)
    {
        m.insert("id_doc".into(), Value::Object(doc));
    }
}

/// The passport as ESIA portals expect it; `None` unless every mandatory field is
/// there, since half a document identifies no one.
fn passport(p: &PersonalRow) -> Option<Map<String, Value>> {
    let mut doc = Map::new();
    doc.insert("type".into(), json!("RF_PASSPORT"));
    doc.insert("series".into(), json!(p.passport_series.as_ref()?));
    doc.insert("number".into(), json!(p.passport_number.as_ref()?));
    doc.insert("issue_date".into(), json!(p.passport_issued.as_ref()?));
    doc.insert("issued_by".into(), json!(p.passport_issuer.as_ref()?));
    if let Some(code) = &p.passport_issuer_code {
        doc.insert("issuer_code".into(), json!(code));
    }
    Some(doc)
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
    "birthdate",
    "gender",
    "inn",
    "id_doc",
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

    fn personal(state: &str) -> PersonalRow {
        PersonalRow {
            account_id: "acc1".into(),
            birth_date: Some("1985-04-12".into()),
            gender: Some("male".into()),
            passport_series: Some("4510".into()),
            passport_number: Some("123456".into()),
            passport_issued: Some("2005-05-20".into()),
            passport_issuer: Some("ОВД Тверского района г. Москвы".into()),
            passport_issuer_code: Some("770-001".into()),
            inn: Some("500100732259".into()),
            state: state.into(),
            state_reason: None,
            verified_at: (state == "verified").then_some(3),
            updated_at: 3,
        }
    }

    fn info(scopes: &str, p: Option<&PersonalRow>) -> Map<String, Value> {
        userinfo(&account(), &Scopes::parse_supported(scopes), p)
    }

    const PERSONAL: &str = "openid birthdate gender inn id_doc";

    #[test]
    fn each_scope_releases_only_its_claims() {
        let only_openid = info("openid", None);
        assert_eq!(only_openid.len(), 1);
        let email = info("openid email", None);
        assert_eq!(email["email"], "ivan@example.ru");
        assert_eq!(email["email_verified"], false);
        assert!(!email.contains_key("phone_number"));
        let all = info("openid profile phone snils", None);
        assert_eq!(all["name"], "Иванов Иван Иванович");
        assert_eq!(all["phone_number"], "+79123456789");
        assert_eq!(all["snils"], "112-233-445 95");
        assert!(!all.contains_key("email"));
    }

    #[test]
    fn fullname_is_the_name_without_the_rest_of_profile() {
        let m = info("openid fullname", None);
        assert_eq!(m["name"], "Иванов Иван Иванович");
        assert_eq!(m["family_name"], "Иванов");
        assert_eq!(m["given_name"], "Иван");
        assert_eq!(m["middle_name"], "Иванович");
        assert!(!m.contains_key("updated_at"));
        assert!(!m.contains_key("trust_level"));
    }

    #[test]
    fn mobile_is_phone_and_contacts_is_both() {
        let mobile = info("openid mobile", None);
        assert_eq!(mobile["phone_number"], "+79123456789");
        assert_eq!(mobile["phone_number_verified"], true);
        assert!(!mobile.contains_key("email"));
        let contacts = info("openid contacts", None);
        assert_eq!(contacts["email"], "ivan@example.ru");
        assert_eq!(contacts["email_verified"], false);
        assert_eq!(contacts["phone_number"], "+79123456789");
        assert_eq!(contacts["phone_number_verified"], true);
        assert_eq!(contacts.len(), 5, "sub plus four contact claims");
    }

    #[test]
    fn verified_personal_data_is_released_per_scope() {
        let p = personal("verified");
        let m = info(PERSONAL, Some(&p));
        assert_eq!(m["birthdate"], "1985-04-12");
        assert_eq!(m["gender"], "male");
        assert_eq!(m["inn"], "500100732259");
        assert_eq!(
            m["id_doc"],
            json!({
                "type": "RF_PASSPORT",
                "series": "4510",
                "number": "123456",
                "issue_date": "2005-05-20",
                "issued_by": "ОВД Тверского района г. Москвы",
                "issuer_code": "770-001",
            })
        );
        let only_birth = info("openid birthdate", Some(&p));
        assert_eq!(only_birth.len(), 2, "sub and birthdate");
        assert_eq!(only_birth["birthdate"], "1985-04-12");
    }

    #[test]
    fn unverified_personal_data_is_never_released() {
        for state in ["pending", "rejected", "failed"] {
            let p = personal(state);
            let m = info(PERSONAL, Some(&p));
            // Each of these scopes releases the claim of the same name.
            for claim in PERSONAL_SCOPES {
                assert!(!m.contains_key(*claim), "{claim} released while {state}");
            }
        }
        let none = info(PERSONAL, None);
        assert_eq!(none.len(), 1, "only sub without personal data");
    }

    #[test]
    fn optional_document_fields_are_left_out() {
        let mut p = personal("verified");
        p.passport_issuer_code = None;
        p.inn = None;
        let m = info(PERSONAL, Some(&p));
        assert!(!m.contains_key("inn"));
        assert!(m["id_doc"].get("issuer_code").is_none());
        assert_eq!(m["id_doc"]["number"], "123456");
        // A document missing a mandatory field is not released at all.
        p.passport_number = None;
        assert!(!info(PERSONAL, Some(&p)).contains_key("id_doc"));
    }

    #[test]
    fn every_released_claim_is_advertised() {
        let p = personal("verified");
        let scopes = crate::oidc::scope::SUPPORTED.join(" ");
        for claim in info(&scopes, Some(&p)).keys() {
            assert!(CLAIMS_SUPPORTED.contains(&claim.as_str()), "{claim}");
        }
    }

    #[test]
    fn at_hash_matches_the_spec_example_shape() {
        // Left 128 bits of SHA-256, base64url: 22 characters.
        assert_eq!(at_hash("token", SigningAlg::RS256).len(), 22);
        assert_eq!(at_hash("token", SigningAlg::EdDSA).len(), 43);
    }
}
