//! Rows as the rest of propusk sees them. Lists are `Vec<String>` here; the store
//! decides how they are kept (JSON text, or space-separated for scopes).

use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Also the `sub` claim: random, opaque, never reused.
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub middle_name: Option<String>,
    /// Normalised `+7XXXXXXXXXX`.
    pub phone: Option<String>,
    /// Normalised (lower-case domain).
    pub email: Option<String>,
    /// Normalised 11 digits, no separators.
    pub snils: Option<String>,
    pub phone_verified: bool,
    pub email_verified: bool,
    /// Argon2id PHC string; `None` for an account that cannot log in by password.
    pub password_hash: Option<String>,
    /// `simplified` | `standard` | `confirmed`.
    pub trust_level: String,
    /// `active` | `blocked`.
    pub status: String,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// Which login identifier to look an account up by (values already normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginKey {
    Phone(String),
    Email(String),
    Snils(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    pub id: String,
    /// SHA-256 (base64url) of the client secret; `None` for a public client.
    pub secret_hash: Option<String>,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Scopes the portal may ask for (`openid`, `profile`, `offline_access` …).
    pub scopes: Vec<String>,
    /// `authorization_code`, `refresh_token`, `client_credentials`.
    pub grant_types: Vec<String>,
    /// `client_secret_basic` | `client_secret_post` | `none`.
    pub auth_method: String,
    /// `RS256` | `ES256` | `EdDSA`.
    pub id_token_alg: String,
    /// Lowest account trust level the portal accepts.
    pub min_trust_level: String,
    pub created_at: UnixTime,
    pub settings: ClientSettings,
}

/// A portal's settings beyond the protocol basics (the management API edits them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// OIDC Back-Channel Logout: where logout tokens are POSTed.
    pub backchannel_logout_uri: Option<String>,
    /// Every login to this portal needs a second factor.
    pub require_second_factor: bool,
    /// Token lifetimes for this portal; `None`: the configured defaults.
    pub access_token_ttl: Option<i64>,
    pub id_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    /// A disabled portal is treated as unknown at every endpoint.
    pub enabled: bool,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            backchannel_logout_uri: None,
            require_second_factor: false,
            access_token_ttl: None,
            id_token_ttl: None,
            refresh_token_ttl: None,
            enabled: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Public id (the `sid` claim); the cookie carries a separate secret.
    pub id: String,
    pub account_id: String,
    pub auth_time: UnixTime,
    pub amr: Vec<String>,
    pub acr: String,
    pub created_at: UnixTime,
    pub last_seen_at: UnixTime,
    /// Absolute end of the session.
    pub expires_at: UnixTime,
    pub ended_at: Option<UnixTime>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// A paused authorization request waiting for the citizen on a hosted page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionRecord {
    pub id: String,
    /// SHA-256 of the secret in the browser's interaction cookie: only the browser
    /// that started the request may finish it.
    pub binding_hash: String,
    /// CSRF token for the forms of this interaction.
    pub csrf_token: String,
    /// The validated authorization request, JSON.
    pub request_json: String,
    /// Set once the citizen has logged in during this interaction, JSON.
    pub login_json: Option<String>,
    pub consent_given: bool,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub account_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub granted_at: UnixTime,
}

/// A family of tokens: everything issued from one authorization code (or one
/// client-credentials request). Revoking the grant revokes the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRecord {
    pub id: String,
    pub client_id: String,
    pub account_id: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: UnixTime,
    pub revoked_at: Option<UnixTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub code_hash: String,
    /// The grant the code's tokens will belong to (created at exchange time).
    pub grant_id: String,
    pub client_id: String,
    pub account_id: String,
    pub session_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    /// S256 challenge; `None` only for confidential clients that sent none.
    pub code_challenge: Option<String>,
    pub auth_time: UnixTime,
    pub acr: String,
    pub amr: Vec<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub consumed_at: Option<UnixTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub grant_id: String,
    pub client_id: String,
    pub account_id: String,
    pub session_id: String,
    pub scopes: Vec<String>,
    pub auth_time: UnixTime,
    pub acr: String,
    pub amr: Vec<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// Set when the token was exchanged; presenting it again is reuse.
    pub used_at: Option<UnixTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRecord {
    /// The JWT's `jti`.
    pub jti: String,
    pub grant_id: Option<String>,
    pub client_id: String,
    pub account_id: Option<String>,
    pub scopes: Vec<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub revoked_at: Option<UnixTime>,
    /// SHA-256 of the signed token as issued (`secret::hash_token`); none for rows
    /// written before it was kept, which are judged by the signature alone.
    pub token_hash: Option<String>,
}

/// A browser's session with what an authorization request needs next, read in one
/// query (`Store::session_with_account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionContext {
    pub session: SessionRecord,
    /// The account and the citizen's "always ask for a second factor" setting; `None`
    /// when the account row is gone.
    pub account: Option<(AccountRecord, bool)>,
    /// The scopes the citizen has consented to for the portal asked about, if any.
    pub consent: Option<Vec<String>>,
}

/// Outcome of presenting an authorization code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// First presentation: the code is now consumed.
    Consumed(CodeRecord),
    /// The code had been consumed before: a replay.
    Replayed(CodeRecord),
    NotFound,
}

/// Outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// First presentation: the token is now marked used; `grant` tells whether the
    /// family is still alive.
    Fresh {
        token: RefreshTokenRecord,
        grant: GrantRecord,
    },
    /// The token had been used before: reuse.
    Reused(RefreshTokenRecord),
    NotFound,
}

/// What one successful token request writes, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenIssue {
    /// A new grant (code exchange, client credentials); `None` when refreshing.
    pub grant: Option<GrantRecord>,
    pub access: AccessTokenRecord,
    pub refresh: Option<RefreshTokenRecord>,
}

/// An access token row with its grant and its account, read together (either may be
/// missing: a grant or account removed since).
#[derive(Debug, Clone)]
pub struct AccessWithAccount {
    pub token: AccessTokenRecord,
    pub grant: Option<GrantRecord>,
    pub account: Option<AccountRecord>,
}

/// The interaction a new session completes, and the login to record in it.
#[derive(Debug, Clone, Copy)]
pub struct InteractionLogin<'a> {
    pub interaction_id: &'a str,
    pub login_json: &'a str,
}
