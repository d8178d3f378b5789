//! The rules for a portal's registration, shared by the API and the CLI: exact redirect
//! URIs (https, or http on loopback, or a native app's private-use scheme), scope tokens
//! of RFC 6749 §3.3 with only the known `propusk:` roles, consistent grant types and
//! authentication method, token lifetimes within the server's own. Create and update
//! both end in a [`ClientSpec`], checked as a whole by [`check`].

use super::access::Role;
use super::client_types::{AuthMethod, ClientPatch, GrantType, IdTokenAlg, Level, NewClient};
use super::error::{AdminError, Checks};
use crate::config::TokenConfig;
use crate::store::records::{ClientRecord, ClientSettings};

const MAX_URIS: usize = 20;
const MAX_URI_LEN: usize = 2000;
const MAX_SCOPES: usize = 50;

/// Everything a portal is, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSpec {
    pub id: String,
    pub name: String,
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub scopes: Vec<String>,
    pub grant_types: Vec<GrantType>,
    pub auth_method: AuthMethod,
    pub id_token_alg: IdTokenAlg,
    pub min_trust_level: Level,
    pub require_second_factor: bool,
    pub access_token_ttl: Option<i64>,
    pub id_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    pub enabled: bool,
}

impl ClientSpec {
    /// A new registration with the defaults filled in.
    pub fn from_new(n: NewClient) -> ClientSpec {
        let scopes = dedup(n.scopes.unwrap_or_else(|| {
            ["openid", "profile", "email", "phone"]
                .map(String::from)
                .to_vec()
        }));
        let grant_types = dedup(n.grant_types.unwrap_or_else(|| {
            let mut g = vec![GrantType::AuthorizationCode];
            if scopes.iter().any(|s| s == "offline_access") {
                g.push(GrantType::RefreshToken);
            }
            g
        }));
        let auth_method = n.auth_method.unwrap_or(if n.public {
            AuthMethod::None
        } else {
            AuthMethod::ClientSecretBasic
        });
        ClientSpec {
            name: n.name.unwrap_or_else(|| n.id.clone()),
            id: n.id,
            public: n.public,
            redirect_uris: n.redirect_uris,
            post_logout_redirect_uris: n.post_logout_redirect_uris,
            backchannel_logout_uri: n.backchannel_logout_uri,
            scopes,
            grant_types,
            auth_method,
            id_token_alg: n.id_token_alg.unwrap_or(IdTokenAlg::RS256),
            min_trust_level: n.min_trust_level.unwrap_or(Level::Simplified),
            require_second_factor: n.require_second_factor,
            access_token_ttl: n.access_token_ttl,
            id_token_ttl: n.id_token_ttl,
            refresh_token_ttl: n.refresh_token_ttl,
            enabled: n.enabled.unwrap_or(true),
        }
    }

    /// A stored portal, to be changed. Values were checked when they were stored.
    pub fn from_record(r: &ClientRecord) -> ClientSpec {
        let public = r.secret_hash.is_none();
        ClientSpec {
            id: r.id.clone(),
            name: r.name.clone(),
            public,
            redirect_uris: r.redirect_uris.clone(),
            post_logout_redirect_uris: r.post_logout_redirect_uris.clone(),
            backchannel_logout_uri: r.settings.backchannel_logout_uri.clone(),
            scopes: r.scopes.clone(),
            grant_types: r
                .grant_types
                .iter()
                .filter_map(|g| GrantType::parse(g))
                .collect(),
            auth_method: AuthMethod::parse(&r.auth_method).unwrap_or(if public {
                AuthMethod::None
            } else {
                AuthMethod::ClientSecretBasic
            }),
            id_token_alg: IdTokenAlg::parse(&r.id_token_alg).unwrap_or(IdTokenAlg::RS256),
            min_trust_level: Level::parse(&r.min_trust_level).unwrap_or(Level::Simplified),
            require_second_factor: r.settings.require_second_factor,
            access_token_ttl: r.settings.access_token_ttl,
            id_token_ttl: r.settings.id_token_ttl,
            refresh_token_ttl: r.settings.refresh_token_ttl,
            enabled: r.settings.enabled,
        }
    }

    pub fn apply(&mut self, p: ClientPatch) {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        set(&mut self.name, p.name);
        set(&mut self.redirect_uris, p.redirect_uris);
        set(
            &mut self.post_logout_redirect_uris,
            p.post_logout_redirect_uris,
        );
        set(&mut self.backchannel_logout_uri, p.backchannel_logout_uri);
        set(&mut self.scopes, p.scopes.map(dedup));
        set(&mut self.grant_types, p.grant_types.map(dedup));
        set(&mut self.auth_method, p.auth_method);
        set(&mut self.id_token_alg, p.id_token_alg);
        set(&mut self.min_trust_level, p.min_trust_level);
        set(&mut self.require_second_factor, p.require_second_factor);
        set(&mut self.access_token_ttl, p.access_token_ttl);
        set(&mut self.id_token_ttl, p.id_token_ttl);
        set(&mut self.refresh_token_ttl, p.refresh_token_ttl);
        set(&mut self.enabled, p.enabled);
    }

    /// The record to store.
    pub fn into_record(self, secret_hash: Option<String>, created_at: i64) -> ClientRecord {
        ClientRecord {
            id: self.id,
            secret_hash,
            name: self.name.trim().to_owned(),
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            scopes: self.scopes,
            grant_types: self
                .grant_types
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            auth_method: self.auth_method.as_str().to_owned(),
            id_token_alg: self.id_token_alg.as_str().to_owned(),
            min_trust_level: self.min_trust_level.as_str().to_owned(),
            created_at,
            settings: ClientSettings {
                backchannel_logout_uri: self.backchannel_logout_uri,
                require_second_factor: self.require_second_factor,
                access_token_ttl: self.access_token_ttl,
                id_token_ttl: self.id_token_ttl,
                refresh_token_ttl: self.refresh_token_ttl,
                enabled: self.enabled,
            },
        }
    }
}

fn dedup<T: PartialEq>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Every rule; the error names each bad field.
pub fn check(s: &ClientSpec, limits: &TokenConfig) -> Result<(), AdminError> {
    let mut c = Checks::default();
    check_id(&mut c, &s.id);
    let name = s.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        c.fail("name", "1 to 200 characters, no control characters");
    }
    uris(&mut c, "redirect_uris", &s.redirect_uris);
    uris(
        &mut c,
        "post_logout_redirect_uris",
        &s.post_logout_redirect_uris,
    );
    if let Some(uri) = &s.backchannel_logout_uri
        && let Err(why) = web_uri(uri)
    {
        c.fail("backchannel_logout_uri", why);
    }
    scopes(&mut c, &s.scopes);
    grants(&mut c, s);
    match (s.public, s.auth_method) {
        (true, AuthMethod::None)
        | (false, AuthMethod::ClientSecretBasic)
        | (false, AuthMethod::ClientSecretPost) => {}
        (true, _) => c.fail("auth_method", "a public client authenticates with none"),
        (false, _) => c.fail(
            "auth_method",
            "use client_secret_basic or client_secret_post (none is for public clients)",
        ),
    }
    for (field, value, max) in [
        (
            "access_token_ttl",
            s.access_token_ttl,
            limits.access_token_ttl,
        ),
        ("id_token_ttl", s.id_token_ttl, limits.id_token_ttl),
        (
            "refresh_token_ttl",
            s.refresh_token_ttl,
            limits.refresh_token_ttl,
        ),
    ] {
        if let Some(v) = value
            && !(1..=max).contains(&v)
        {
            c.fail(
                field,
                format!("between 1 and {max} seconds (the server's own lifetime)"),
            );
        }
    }
    c.finish()
}

/// Client ids appear in URLs, tokens and logs: keep them plain.
pub fn check_id(c: &mut Checks, id: &str) {
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    if !ok {
        c.fail(
            "id",
            "1 to 100 characters of letters, digits, '-', '_' or '.'",
        );
    }
}

fn uris(c: &mut Checks, field: &str, list: &[String]) {
    if list.len() > MAX_URIS {
        c.fail(field, format!("at most {MAX_URIS} URIs"));
        return;
    }
    for (i, uri) in list.iter().enumerate() {
        if let Err(why) = redirect_uri(uri) {
            c.fail(format!("{field}[{i}]"), why);
        }
    }
}

/// Redirect URIs are absolute, without fragment (RFC 6749 §3.1.2); plain http only on
/// loopback (native apps, development); private-use schemes contain a dot (RFC 8252
/// §7.1).
pub fn redirect_uri(uri: &str) -> Result<(), String> {
    let u = parse_uri(uri)?;
    match u.scheme() {
        "https" => Ok(()),
        "http" if loopback(&u) => Ok(()),
        "http" => Err("plain http only for localhost, 127.0.0.1 or [::1]; use https".into()),
        s if s.contains('.') => Ok(()),
        s => Err(format!("scheme {s} is not allowed")),
    }
}

/// Where propusk itself sends requests (back-channel logout): https, or http on loopback.
fn web_uri(uri: &str) -> Result<(), String> {
    let u = parse_uri(uri)?;
    match u.scheme() {
        "https" => Ok(()),
        "http" if loopback(&u) => Ok(()),
        _ => Err("https (plain http only for localhost, 127.0.0.1 or [::1])".into()),
    }
}

fn parse_uri(uri: &str) -> Result<url::Url, String> {
    if uri.len() > MAX_URI_LEN {
        return Err(format!("at most {MAX_URI_LEN} characters"));
    }
    // Kept exactly as given and compared byte for byte: no spaces or control characters
    // (which the URL parser would quietly encode or strip).
    if uri.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters".into());
    }
    let u = url::Url::parse(uri).map_err(|e| format!("not an absolute URI: {e}"))?;
    if u.fragment().is_some() {
        return Err("must not contain a fragment".into());
    }
    Ok(u)
}

fn loopback(u: &url::Url) -> bool {
    matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn scopes(c: &mut Checks, list: &[String]) {
    if list.is_empty() {
        c.fail("scopes", "at least one scope");
    } else if list.len() > MAX_SCOPES {
        c.fail("scopes", format!("at most {MAX_SCOPES} scopes"));
    }
    for (i, s) in list.iter().enumerate() {
        // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
        let token = !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
        if !token {
            c.fail(
                format!("scopes[{i}]"),
                "1 to 100 printable ASCII characters without spaces, quotes or backslashes",
            );
        } else if s.starts_with("propusk:") && Role::from_scope(s).is_none() {
            c.fail(
                format!("scopes[{i}]"),
                "the propusk: scopes are propusk:admin, propusk:operator and propusk:auditor",
            );
        }
    }
}

fn grants(c: &mut Checks, s: &ClientSpec) {
    if s.grant_types.is_empty() {
        c.fail("grant_types", "at least one grant type");
    }
    let has = |g: GrantType| s.grant_types.contains(&g);
    if s.public && has(GrantType::ClientCredentials) {
        c.fail(
            "grant_types",
            "client_credentials is not for a public client",
        );
    }
    if has(GrantType::RefreshToken) && !has(GrantType::AuthorizationCode) {
        c.fail("grant_types", "refresh_token comes with authorization_code");
    }
    if has(GrantType::AuthorizationCode) && s.redirect_uris.is_empty() {
        c.fail(
            "redirect_uris",
            "at least one redirect URI for authorization_code",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(id: &str) -> NewClient {
        NewClient {
            id: id.into(),
            redirect_uris: vec!["https://tax.example/cb".into()],
            scopes: Some(vec!["openid".into(), "offline_access".into()]),
            ..Default::default()
        }
    }

    fn fields(r: Result<(), AdminError>) -> Vec<String> {
        match r {
            Err(AdminError::Invalid(e)) => e.into_iter().map(|f| f.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn defaults_follow_the_scopes() {
        let s = ClientSpec::from_new(new("tax"));
        assert_eq!(
            s.grant_types,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert_eq!(s.auth_method, AuthMethod::ClientSecretBasic);
        assert!(check(&s, &TokenConfig::default()).is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut n = new("bad id");
        n.redirect_uris = vec!["https://ok.example/cb".into(), "http://x.example/cb".into()];
        n.scopes = Some(vec!["openid".into(), "propusk:root".into(), "a b".into()]);
        n.public = true;
        n.grant_types = Some(vec![GrantType::ClientCredentials]);
        n.access_token_ttl = Some(0);
        n.refresh_token_ttl = Some(i64::MAX);
        let got = fields(check(&ClientSpec::from_new(n), &TokenConfig::default()));
        for f in [
            "id",
            "redirect_uris[1]",
            "scopes[1]",
            "scopes[2]",
            "grant_types",
            "access_token_ttl",
            "refresh_token_ttl",
        ] {
            assert!(got.contains(&f.to_owned()), "{f} in {got:?}");
        }
    }

    #[test]
    fn a_patch_keeps_what_it_does_not_name() {
        let mut s = ClientSpec::from_new(new("tax"));
        s.backchannel_logout_uri = Some("https://tax.example/bc".into());
        s.apply(ClientPatch {
            name: Some("ФНС".into()),
            backchannel_logout_uri: Some(None),
            ..Default::default()
        });
        assert_eq!(s.name, "ФНС");
        assert_eq!(s.backchannel_logout_uri, None);
        assert_eq!(s.redirect_uris, vec!["https://tax.example/cb"]);
    }
}
