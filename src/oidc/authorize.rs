//! The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) read as a pipeline of
//! named checks. Two stages, because where an error may be sent depends on them:
//! until the client and its redirect URI are verified, errors go to an HTML page;
//! afterwards they go back to the portal by redirect.

use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::pkce;
use super::scope::Scopes;
use crate::store::records::ClientRecord;
use serde::{Deserialize, Serialize};

/// Why the request cannot even be answered by redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    MissingClientId,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
}

impl PageError {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingClientId | Self::MissingRedirectUri => "invalid_request",
            Self::UnknownClient => "invalid_client",
            Self::UnregisteredRedirectUri => "invalid_redirect_uri",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A validated authorization request; kept (as JSON) in the interaction while the
/// citizen is on a hosted page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Vec<String>,
    pub id_token_hint: Option<String>,
    pub code_challenge: Option<String>,
}

/// Stage one: the client id and the redirect URI, matched exactly against the
/// registration (no prefix or pattern matching, DESIGN.md security defaults).
pub fn check_redirect_uri<'a>(
    params: &'a Params,
    client: &ClientRecord,
) -> Result<&'a str, PageError> {
    let uri = params
        .get("redirect_uri")
        .ok_or(PageError::MissingRedirectUri)?;
    if client.redirect_uris.iter().any(|r| r == uri) {
        Ok(uri)
    } else {
        Err(PageError::UnregisteredRedirectUri)
    }
}

/// Stage two: everything else. `redirect_uri` has passed stage one.
pub fn parse_request(
    params: &Params,
    client: &ClientRecord,
    redirect_uri: &str,
) -> Result<AuthorizationRequest, OAuthError> {
    refuse_unsupported_features(params)?;
    check_response_type(params, client)?;
    check_response_mode(params)?;
    let scopes = requested_scopes(params, client)?;
    let prompt = parse_prompt(params.get("prompt"))?;
    let max_age = parse_max_age(params.get("max_age"))?;
    let code_challenge = parse_pkce(params, client)?;
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: params.get("state").map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        prompt,
        max_age,
        login_hint: params.get("login_hint").map(str::to_owned),
        ui_locales: params.get("ui_locales").map(str::to_owned),
        acr_values: params
            .get("acr_values")
            .map(|v| {
                v.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        id_token_hint: params.get("id_token_hint").map(str::to_owned),
        code_challenge,
    })
}

/// Request objects and dynamic registration are not implemented; OIDC Core §6 and
/// §7.2.1 give each its own error code.
fn refuse_unsupported_features(params: &Params) -> Result<(), OAuthError> {
    if params.has("request") {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.has("request_uri") {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    if params.has("registration") {
        return Err(OAuthError::new(
            ErrorCode::RegistrationNotSupported,
            "registration is not supported",
        ));
    }
    Ok(())
}

fn check_response_type(params: &Params, client: &ClientRecord) -> Result<(), OAuthError> {
    match params.get("response_type") {
        None => Err(OAuthError::invalid_request("response_type is required")),
        Some("code") if client.grant_types.iter().any(|g| g == "authorization_code") => Ok(()),
        Some("code") => Err(OAuthError::unauthorized_client(
            "the client may not use the authorization code flow",
        )),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedResponseType,
            "only response_type=code is supported",
        )),
    }
}

fn check_response_mode(params: &Params) -> Result<(), OAuthError> {
    match params.get("response_mode") {
        None | Some("query") => Ok(()),
        Some(_) => Err(OAuthError::invalid_request(
            "only response_mode=query is supported",
        )),
    }
}

/// `openid` is required; scopes the client is not registered for, and scopes this
/// provider does not know, are dropped.
fn requested_scopes(params: &Params, client: &ClientRecord) -> Result<Scopes, OAuthError> {
    let raw = params
        .get("scope")
        .ok_or_else(|| OAuthError::invalid_request("scope is required"))?;
    let mut scopes = Scopes::parse_supported(raw);
    if !scopes.contains("openid") {
        return Err(OAuthError::invalid_scope("the openid scope is required"));
    }
    scopes.retain(|s| s == "openid" || client.scopes.iter().any(|c| c == s));
    if scopes.contains("offline_access") && !client.grant_types.iter().any(|g| g == "refresh_token")
    {
        scopes.retain(|s| s != "offline_access");
    }
    Ok(scopes)
}

fn parse_prompt(raw: Option<&str>) -> Result<Prompt, OAuthError> {
    let mut p = Prompt::default();
    let Some(raw) = raw else { return Ok(p) };
    let mut count = 0;
    for v in raw.split(' ').filter(|s| !s.is_empty()) {
        count += 1;
        match v {
            "none" => p.none = true,
            "login" => p.login = true,
            "consent" => p.consent = true,
            // One account per browser: there is nothing to select.
            "select_account" => {}
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "unsupported prompt value {other}"
                )));
            }
        }
    }
    if p.none && count > 1 {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(p)
}

fn parse_max_age(raw: Option<&str>) -> Result<Option<i64>, OAuthError> {
    raw.map(|v| {
        v.parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| OAuthError::invalid_request("max_age must be a non-negative integer"))
    })
    .transpose()
}

/// S256 only; public clients must use PKCE (they have no secret to bind the code).
fn parse_pkce(params: &Params, client: &ClientRecord) -> Result<Option<String>, OAuthError> {
    let challenge = params.get("code_challenge");
    let method = params.get("code_challenge_method");
    match (challenge, method) {
        (None, None) if client.secret_hash.is_none() => Err(OAuthError::invalid_request(
            "PKCE (code_challenge with S256) is required for public clients",
        )),
        (None, None) => Ok(None),
        (None, Some(_)) => Err(OAuthError::invalid_request(
            "code_challenge is required with code_challenge_method",
        )),
        (Some(_), None | Some("plain")) => Err(OAuthError::invalid_request(
            "code_challenge_method must be S256",
        )),
        (Some(c), Some("S256")) if pkce::is_well_formed(c) => Ok(Some(c.to_owned())),
        (Some(_), Some("S256")) => Err(OAuthError::invalid_request("code_challenge is malformed")),
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "code_challenge_method must be S256",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(public: bool) -> ClientRecord {
        ClientRecord {
            id: "tax".into(),
            secret_hash: (!public).then(|| "h".into()),
            name: "Tax".into(),
            redirect_uris: vec!["https://tax.example/cb".into()],
            post_logout_redirect_uris: vec![],
            scopes: vec!["openid".into(), "email".into(), "offline_access".into()],
            grant_types: vec!["authorization_code".into(), "refresh_token".into()],
            auth_method: if public {
                "none"
            } else {
                "client_secret_basic"
            }
            .into(),
            id_token_alg: "RS256".into(),
            min_trust_level: "simplified".into(),
            created_at: 0,
            settings: Default::default(),
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .unwrap()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("client_id", "tax"),
            ("redirect_uri", "https://tax.example/cb"),
            ("response_type", "code"),
            ("scope", "openid email phone"),
            ("state", "xyz"),
        ]
    }

    fn with(extra: &[(&'static str, &'static str)]) -> Params {
        let mut b = base();
        for (k, v) in extra {
            b.retain(|(bk, _)| bk != k);
            b.push((k, v));
        }
        params(&b)
    }

    #[test]
    fn redirect_uri_must_match_exactly() {
        let c = client(false);
        assert!(check_redirect_uri(&with(&[]), &c).is_ok());
        for bad in [
            "https://tax.example/cb/",
            "https://tax.example/cb?x=1",
            "https://TAX.example/cb",
        ] {
            assert_eq!(
                check_redirect_uri(&with(&[("redirect_uri", bad)]), &c),
                Err(PageError::UnregisteredRedirectUri)
            );
        }
        assert_eq!(
            check_redirect_uri(&params(&[("client_id", "tax")]), &c),
            Err(PageError::MissingRedirectUri)
        );
    }

    #[test]
    fn a_good_request_parses_and_drops_unregistered_scopes() {
        let r = parse_request(
            &with(&[("nonce", "n"), ("max_age", "60")]),
            &client(false),
            "https://tax.example/cb",
        )
        .unwrap();
        assert_eq!(r.scopes.joined(), "openid email");
        assert_eq!(r.state.as_deref(), Some("xyz"));
        assert_eq!(r.max_age, Some(60));
    }

    #[test]
    fn each_check_names_its_error() {
        let c = client(false);
        let cases: &[(&[(&str, &str)], ErrorCode)] = &[
            (
                &[("response_type", "token")],
                ErrorCode::UnsupportedResponseType,
            ),
            (&[("scope", "email")], ErrorCode::InvalidScope),
            (&[("prompt", "none login")], ErrorCode::InvalidRequest),
            (&[("prompt", "bogus")], ErrorCode::InvalidRequest),
            (&[("max_age", "-1")], ErrorCode::InvalidRequest),
            (&[("request", "eyJ")], ErrorCode::RequestNotSupported),
            (
                &[("request_uri", "https://x")],
                ErrorCode::RequestUriNotSupported,
            ),
            (
                &[
                    (
                        "code_challenge",
                        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    ),
                    ("code_challenge_method", "plain"),
                ],
                ErrorCode::InvalidRequest,
            ),
            (&[("response_mode", "fragment")], ErrorCode::InvalidRequest),
        ];
        for (extra, code) in cases {
            let err = parse_request(&with(extra), &c, "https://tax.example/cb").unwrap_err();
            assert_eq!(err.code, *code, "{extra:?}");
        }
    }

    #[test]
    fn public_clients_must_use_pkce() {
        let c = client(true);
        let err = parse_request(&with(&[]), &c, "https://tax.example/cb").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        let ok = parse_request(
            &with(&[
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
                ("code_challenge_method", "S256"),
            ]),
            &c,
            "https://tax.example/cb",
        )
        .unwrap();
        assert!(ok.code_challenge.is_some());
    }

    #[test]
    fn offline_access_needs_the_refresh_grant() {
        let mut c = client(false);
        let r = parse_request(
            &with(&[("scope", "openid offline_access")]),
            &c,
            "https://tax.example/cb",
        )
        .unwrap();
        assert!(r.scopes.contains("offline_access"));
        c.grant_types.retain(|g| g != "refresh_token");
        let r = parse_request(
            &with(&[("scope", "openid offline_access")]),
            &c,
            "https://tax.example/cb",
        )
        .unwrap();
        assert!(!r.scopes.contains("offline_access"));
    }
}
