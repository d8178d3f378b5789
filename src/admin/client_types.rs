//! Portals as the management API reads and writes them. Closed sets (grant types,
//! authentication methods, algorithms, levels) are enums, so the OpenAPI document lists
//! their values and a wrong one is refused while parsing, naming the field.

use crate::store::records::ClientRecord;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// A public client (no secret; PKCE required).
    None,
}

/// How ID tokens for the portal are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum IdTokenAlg {
    RS256,
    ES256,
    EdDSA,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Simplified,
    Standard,
    Confirmed,
}

/// The string forms the store and the CLI use.
macro_rules! names {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$v),)+ _ => None }
            }
            /// The accepted values, for messages.
            pub const NAMES: &'static str = concat!($($s, " "),+);
        }
    };
}

names!(GrantType {
    AuthorizationCode => "authorization_code",
    RefreshToken => "refresh_token",
    ClientCredentials => "client_credentials",
});
names!(AuthMethod {
    ClientSecretBasic => "client_secret_basic",
    ClientSecretPost => "client_secret_post",
    None => "none",
});
names!(IdTokenAlg { RS256 => "RS256", ES256 => "ES256", EdDSA => "EdDSA" });
names!(Level {
    Simplified => "simplified",
    Standard => "standard",
    Confirmed => "confirmed",
});

/// A registered portal (its secret is never shown again after creation or rotation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Client {
    pub id: String,
    pub name: String,
    /// A public client has no secret and must use PKCE.
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub auth_method: String,
    pub id_token_alg: String,
    pub min_trust_level: String,
    pub require_second_factor: bool,
    /// Seconds; `null`: the server's configured lifetime.
    pub access_token_ttl: Option<i64>,
    pub id_token_ttl: Option<i64>,
    pub refresh_token_ttl: Option<i64>,
    /// A disabled portal is treated as unknown at every protocol endpoint.
    pub enabled: bool,
    /// Unix seconds.
    pub created_at: i64,
}

impl From<&ClientRecord> for Client {
    fn from(c: &ClientRecord) -> Self {
        Client {
            id: c.id.clone(),
            name: c.name.clone(),
            public: c.secret_hash.is_none(),
            redirect_uris: c.redirect_uris.clone(),
            post_logout_redirect_uris: c.post_logout_redirect_uris.clone(),
            backchannel_logout_uri: c.settings.backchannel_logout_uri.clone(),
            scopes: c.scopes.clone(),
            grant_types: c.grant_types.clone(),
            auth_method: c.auth_method.clone(),
            id_token_alg: c.id_token_alg.clone(),
            min_trust_level: c.min_trust_level.clone(),
            require_second_factor: c.settings.require_second_factor,
            access_token_ttl: c.settings.access_token_ttl,
            id_token_ttl: c.settings.id_token_ttl,
            refresh_token_ttl: c.settings.refresh_token_ttl,
            enabled: c.settings.enabled,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<Client>,
}

/// A new portal. Omitted fields take the defaults the CLI uses: scopes `openid profile
/// email phone`; grant `authorization_code` (plus `refresh_token` with `offline_access`);
/// `client_secret_basic` (or `none` for a public client); RS256; level `simplified`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// 1 to 100 letters, digits, `-`, `_`, `.`.
    #[schema(pattern = r"^[A-Za-z0-9._-]{1,100}$")]
    pub id: String,
    /// Shown on the login and consent pages (default: the id).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default)]
    pub public: bool,
    /// Exact https URIs (plain http only on loopback; private-use schemes for apps).
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// OAuth scope tokens; `propusk:admin|operator|auditor` make a service account.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    #[serde(default)]
    pub id_token_alg: Option<IdTokenAlg>,
    #[serde(default)]
    pub min_trust_level: Option<Level>,
    #[serde(default)]
    pub require_second_factor: bool,
    /// Seconds, at most the server's configured lifetime.
    #[serde(default)]
    pub access_token_ttl: Option<i64>,
    #[serde(default)]
    pub id_token_ttl: Option<i64>,
    #[serde(default)]
    pub refresh_token_ttl: Option<i64>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Changes to a portal: an omitted field stays as it is; `null` clears a field that may
/// be empty (the back-channel URI, the token lifetimes). Public/confidential and the id
/// cannot change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default)]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(default)]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub backchannel_logout_uri: Option<Option<String>>,
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    #[serde(default)]
    pub auth_method: Option<AuthMethod>,
    #[serde(default)]
    pub id_token_alg: Option<IdTokenAlg>,
    #[serde(default)]
    pub min_trust_level: Option<Level>,
    #[serde(default)]
    pub require_second_factor: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub access_token_ttl: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub id_token_ttl: Option<Option<i64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub refresh_token_ttl: Option<Option<i64>>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A field that was present in the JSON: `null` becomes `Some(None)`, absent stays `None`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A created portal with its secret, shown only in this answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    pub client: Client,
    /// `null` for a public client.
    pub client_secret: Option<String>,
}

/// A new secret, shown only in this answer; the old one stops working at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RotatedSecret {
    pub client_id: String,
    pub client_secret: String,
}
