//! Token endpoint requests (RFC 6749 §4.1.3, §6, §4.4), one variant per grant type.

use super::error::{ErrorCode, OAuthError};
use super::params::Params;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    AuthorizationCode {
        code: String,
        redirect_uri: String,
        code_verifier: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
        /// A narrower scope than the original grant (RFC 6749 §6), space-separated.
        scope: Option<String>,
    },
    ClientCredentials {
        scope: Option<String>,
    },
}

impl TokenRequest {
    pub fn grant_type(&self) -> &'static str {
        match self {
            Self::AuthorizationCode { .. } => "authorization_code",
            Self::RefreshToken { .. } => "refresh_token",
            Self::ClientCredentials { .. } => "client_credentials",
        }
    }
}

pub fn parse_token_request(p: &Params) -> Result<TokenRequest, OAuthError> {
    let required = |name: &str| {
        p.get(name)
            .map(str::to_owned)
            .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    };
    match p.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("authorization_code") => Ok(TokenRequest::AuthorizationCode {
            code: required("code")?,
            // Always required here: propusk requires redirect_uri at /authorize.
            redirect_uri: required("redirect_uri")?,
            code_verifier: p.get("code_verifier").map(str::to_owned),
        }),
        Some("refresh_token") => Ok(TokenRequest::RefreshToken {
            refresh_token: required("refresh_token")?,
            scope: p.get("scope").map(str::to_owned),
        }),
        Some("client_credentials") => Ok(TokenRequest::ClientCredentials {
            scope: p.get("scope").map(str::to_owned),
        }),
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "grant_type must be authorization_code, refresh_token or client_credentials",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .unwrap()
    }

    #[test]
    fn grant_types() {
        assert!(matches!(
            parse_token_request(&p(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("redirect_uri", "r")
            ])),
            Ok(TokenRequest::AuthorizationCode { .. })
        ));
        assert_eq!(
            parse_token_request(&p(&[("grant_type", "authorization_code"), ("code", "c")]))
                .unwrap_err()
                .code,
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            parse_token_request(&p(&[("grant_type", "password")]))
                .unwrap_err()
                .code,
            ErrorCode::UnsupportedGrantType
        );
        assert_eq!(
            parse_token_request(&p(&[])).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
    }
}
