//! Minting tokens: JWT access tokens (RFC 9068, ES256 by default), ID tokens signed
//! with the portal's algorithm, opaque refresh tokens. Everything one token response
//! writes goes to the store in one transaction.

use super::metrics;
use crate::account::TrustLevel;
use crate::error::AppError;
use crate::keys::SigningAlg;
use crate::oidc::claims::{AccessTokenClaims, IdTokenClaims, SELF_CONTAINED_GTY, at_hash};
use crate::oidc::scope::Scopes;
use crate::secret::{Secret, hash_token, random_id};
use crate::state::AppState;
use crate::store::records::{
    AccessTokenRecord, AccountRecord, ClientRecord, GrantRecord, RefreshTokenRecord, TokenIssue,
};
use serde_json::{Value, json};

/// What the citizen's authentication looked like; carried from code to refresh token.
pub struct AuthContext<'a> {
    pub session_id: &'a str,
    pub auth_time: i64,
    pub acr: &'a str,
    pub amr: &'a [String],
}

pub struct UserGrant<'a> {
    pub client: &'a ClientRecord,
    pub account: &'a AccountRecord,
    pub grant_id: &'a str,
    /// True for a code exchange (the grant row is created), false for a refresh.
    pub new_grant: bool,
    /// Scopes of this response's access token.
    pub scopes: &'a Scopes,
    /// Scopes of the grant, kept by the (rotated) refresh token.
    pub grant_scopes: &'a Scopes,
    pub auth: AuthContext<'a>,
    pub nonce: Option<&'a str>,
}

/// A token response body.
pub struct Minted {
    access_token: String,
    expires_in: i64,
    scope: String,
    id_token: Option<String>,
    refresh_token: Option<Secret>,
}

impl Minted {
    pub fn body(self) -> Value {
        let mut v = json!({
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        });
        if let Some(id) = self.id_token {
            v["id_token"] = json!(id);
        }
        if let Some(r) = self.refresh_token {
            v["refresh_token"] = json!(r.into_string());
        }
        v
    }
}

pub async fn for_user(
    state: &AppState,
    g: UserGrant<'_>,
    grant_type: &'static str,
) -> Result<Minted, AppError> {
    let now = state.now();
    let keys = state.keys();
    let ttl = Lifetimes::of(state, g.client);
    let (access_token, access_row) = access_token(
        state,
        ttl.access,
        &g.client.id,
        &g.account.id,
        g.scopes,
        Some(g.grant_id),
        TokenKind::Citizen {
            auth_time: g.auth.auth_time,
            acr: g.auth.acr,
        },
    )?;
    let id_alg: SigningAlg = g.client.id_token_alg.parse().unwrap_or(SigningAlg::RS256);
    let level = TrustLevel::parse(&g.account.trust_level).unwrap_or(TrustLevel::Simplified);
    let id_claims = IdTokenClaims {
        iss: state.config.issuer.clone(),
        sub: g.account.id.clone(),
        aud: g.client.id.clone(),
        exp: now + ttl.id,
        iat: now,
        auth_time: g.auth.auth_time,
        nonce: g.nonce.map(str::to_owned),
        acr: g.auth.acr.to_owned(),
        amr: g.auth.amr.to_vec(),
        azp: g.client.id.clone(),
        sid: Some(g.auth.session_id.to_owned()),
        at_hash: Some(at_hash(&access_token, id_alg)),
        trust_level: level.as_str().to_owned(),
        identity_confirmed: level == TrustLevel::Confirmed,
    };
    let id_token = keys.sign(id_alg, "JWT", &id_claims)?;
    let refresh = refresh_allowed(g.client, g.grant_scopes).then(Secret::generate);
    let refresh_row = refresh.as_ref().map(|r| RefreshTokenRecord {
        token_hash: r.hash(),
        grant_id: g.grant_id.to_owned(),
        client_id: g.client.id.clone(),
        account_id: g.account.id.clone(),
        session_id: g.auth.session_id.to_owned(),
        scopes: g.grant_scopes.to_vec(),
        auth_time: g.auth.auth_time,
        acr: g.auth.acr.to_owned(),
        amr: g.auth.amr.to_vec(),
        created_at: now,
        expires_at: now + ttl.refresh,
        used_at: None,
    });
    let grant = g.new_grant.then(|| GrantRecord {
        id: g.grant_id.to_owned(),
        client_id: g.client.id.clone(),
        account_id: Some(g.account.id.clone()),
        scopes: g.grant_scopes.to_vec(),
        created_at: now,
        revoked_at: None,
    });
    state
        .store
        .issue_tokens(&TokenIssue {
            grant,
            access: access_row,
            refresh: refresh_row,
        })
        .await?;
    metrics::tokens_issued(grant_type);
    Ok(Minted {
        access_token,
        expires_in: ttl.access,
        scope: g.scopes.joined(),
        id_token: Some(id_token),
        refresh_token: refresh,
    })
}

/// Client credentials: an access token whose subject is the portal itself.
pub async fn for_client(
    state: &AppState,
    client: &ClientRecord,
    scopes: &Scopes,
) -> Result<Minted, AppError> {
    let ttl = Lifetimes::of(state, client);
    // Self-contained: nothing is written (see `AccessTokenClaims::gty`); `access::check`
    // judges it by signature, expiry, the portal and the revocation list.
    let (access_token, _) = access_token(
        state,
        ttl.access,
        &client.id,
        &client.id,
        scopes,
        None,
        TokenKind::Portal,
    )?;
    metrics::tokens_issued("client_credentials");
    Ok(Minted {
        access_token,
        expires_in: ttl.access,
        scope: scopes.joined(),
        id_token: None,
        refresh_token: None,
    })
}

/// OIDC Core §11: refresh tokens only with consented `offline_access` and a client
/// registered for the refresh grant.
fn refresh_allowed(client: &ClientRecord, scopes: &Scopes) -> bool {
    scopes.contains("offline_access") && client.grant_types.iter().any(|g| g == "refresh_token")
}

/// Token lifetimes for a portal: its own settings, never beyond the configured ones
/// (a retired signing key stays published only as long as the configured lifetimes).
struct Lifetimes {
    access: i64,
    id: i64,
    refresh: i64,
}

impl Lifetimes {
    fn of(state: &AppState, client: &ClientRecord) -> Lifetimes {
        let cfg = &state.config.tokens;
        let s = &client.settings;
        let pick = |own: Option<i64>, max: i64| own.filter(|v| *v > 0).map_or(max, |v| v.min(max));
        Lifetimes {
            access: pick(s.access_token_ttl, cfg.access_token_ttl),
            id: pick(s.id_token_ttl, cfg.id_token_ttl),
            refresh: pick(s.refresh_token_ttl, cfg.refresh_token_ttl),
        }
    }
}

/// Whose access token: a citizen's (a row, revocable with its grant) or a portal's own
/// (client credentials, self-contained).
enum TokenKind<'a> {
    Citizen { auth_time: i64, acr: &'a str },
    Portal,
}

fn access_token(
    state: &AppState,
    ttl: i64,
    client_id: &str,
    subject: &str,
    scopes: &Scopes,
    grant_id: Option<&str>,
    kind: TokenKind<'_>,
) -> Result<(String, AccessTokenRecord), AppError> {
    let now = state.now();
    let jti = random_id();
    let (auth, gty) = match kind {
        TokenKind::Citizen { auth_time, acr } => (Some((auth_time, acr)), None),
        TokenKind::Portal => (None, Some(SELF_CONTAINED_GTY.to_owned())),
    };
    let claims = AccessTokenClaims {
        iss: state.config.issuer.clone(),
        sub: subject.to_owned(),
        aud: state.config.issuer.clone(),
        exp: now + ttl,
        iat: now,
        jti: jti.clone(),
        client_id: client_id.to_owned(),
        scope: scopes.joined(),
        auth_time: auth.map(|a| a.0),
        acr: auth.map(|a| a.1.to_owned()),
        gty,
    };
    let token = state
        .keys()
        .sign(state.config.tokens.access_token_alg, "at+jwt", &claims)?;
    let row = AccessTokenRecord {
        jti,
        grant_id: grant_id.map(str::to_owned),
        client_id: client_id.to_owned(),
        account_id: Some(subject.to_owned()),
        scopes: scopes.to_vec(),
        created_at: now,
        expires_at: now + ttl,
        revoked_at: None,
        // Only a citizen's token has a row; a portal's own is judged by its signature.
        token_hash: auth.map(|_| hash_token(&token)),
    };
    Ok((token, row))
}
