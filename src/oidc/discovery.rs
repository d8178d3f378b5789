//! OpenID Provider metadata (OIDC Discovery §3, RFC 8414). It lists only what is
//! implemented: a portal library trusts every entry here.

use super::claims::CLAIMS_SUPPORTED;
use super::scope::SUPPORTED as SCOPES;
use crate::account::TrustLevel;
use crate::keys::SigningAlg;
use serde_json::{Value, json};

/// Paths of the endpoints, relative to the issuer. The router uses the same constants.
pub mod paths {
    pub const DISCOVERY: &str = "/.well-known/openid-configuration";
    pub const JWKS: &str = "/jwks";
    pub const AUTHORIZE: &str = "/authorize";
    pub const TOKEN: &str = "/token";
    pub const USERINFO: &str = "/userinfo";
    pub const INTROSPECT: &str = "/introspect";
    pub const REVOKE: &str = "/revoke";
    pub const END_SESSION: &str = "/logout";
}

pub fn metadata(issuer: &str) -> Value {
    let url = |p: &str| format!("{issuer}{p}");
    let algs: Vec<&str> = SigningAlg::ALL.iter().map(|a| a.as_str()).collect();
    // The three trust levels, and the request for a second factor in this login.
    let mut acrs: Vec<&str> = TrustLevel::ALL.iter().map(|l| l.acr()).collect();
    acrs.push(crate::authn::second_factor::MFA_ACR);
    let client_auth = ["client_secret_basic", "client_secret_post"];
    json!({
        "issuer": issuer,
        "authorization_endpoint": url(paths::AUTHORIZE),
        "token_endpoint": url(paths::TOKEN),
        "userinfo_endpoint": url(paths::USERINFO),
        "jwks_uri": url(paths::JWKS),
        "end_session_endpoint": url(paths::END_SESSION),
        "revocation_endpoint": url(paths::REVOKE),
        "introspection_endpoint": url(paths::INTROSPECT),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": client_auth,
        "introspection_endpoint_auth_methods_supported": client_auth,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS_SUPPORTED,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "acr_values_supported": acrs,
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["ru", "en"],
        "claim_types_supported": ["normal"],
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    })
}
