//! Scopes: the space-separated list of RFC 6749 §3.3, and what each one means here.

use serde::{Deserialize, Serialize};

/// Scopes this provider understands. Anything else in a request is ignored
/// (OIDC Core §3.1.2.1: unknown scope values SHOULD be ignored).
///
/// Besides the OIDC Core §5.4 scopes, the ESIA ones portals already ask the state
/// provider for: `fullname`, `birthdate`, `gender`, `snils`, `inn`, `id_doc`, `mobile`
/// and `contacts` (e-mail and mobile together); `claims::userinfo` says what each releases.
pub const SUPPORTED: &[&str] = &[
    "openid",
    "profile",
    "fullname",
    "birthdate",
    "gender",
    "snils",
    "inn",
    "id_doc",
    "email",
    "phone",
    "mobile",
    "contacts",
    "offline_access",
];

/// Management scopes (`/admin/v1`): a service account gets them by client credentials;
/// a citizen gets one in the authorization flow only from a portal registered for it
/// and only while the account holds the role (`http::flow`, `admin::access::roles_from`).
pub const MANAGEMENT: &[&str] = &["propusk:admin", "propusk:operator", "propusk:auditor"];

/// Scopes that name a citizen's data and so need the citizen's consent.
pub fn needs_consent(scope: &str) -> bool {
    scope != "openid"
}

/// A set of scopes kept in request order without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Split on spaces; keep only scopes this provider supports (citizen data and the
    /// management roles); drop duplicates.
    pub fn parse_supported(raw: &str) -> Scopes {
        let mut out: Vec<String> = Vec::new();
        for s in raw.split(' ').filter(|s| !s.is_empty()) {
            let known = SUPPORTED.contains(&s) || MANAGEMENT.contains(&s);
            if known && !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        }
        Scopes(out)
    }
    pub fn from_vec(v: Vec<String>) -> Scopes {
        Scopes(v)
    }
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn is_subset_of(&self, other: &[String]) -> bool {
        self.0.iter().all(|s| other.contains(s))
    }
    /// Keep only the scopes the predicate accepts.
    pub fn retain(&mut self, f: impl Fn(&str) -> bool) {
        self.0.retain(|s| f(s));
    }
    pub fn to_vec(&self) -> Vec<String> {
        self.0.clone()
    }
    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
    /// Space-separated, as on the wire.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_duplicate_scopes_are_dropped() {
        let s = Scopes::parse_supported("openid  email openid bogus phone");
        assert_eq!(s.joined(), "openid email phone");
        assert!(s.contains("email"));
        assert!(!s.contains("bogus"));
    }

    #[test]
    fn subset() {
        let s = Scopes::parse_supported("openid email");
        assert!(s.is_subset_of(&["openid".into(), "email".into(), "phone".into()]));
        assert!(!s.is_subset_of(&["openid".into()]));
    }
}
