//! Is this access token live? Issuer and expiry from the JWT, then: a citizen's token is
//! proven by its database row (the presented bytes hash to what was stored when it was
//! issued; the row also tells revocation of the token or of its grant); a portal's own
//! self-contained token (client credentials, no row) by its signature, and the portal
//! must still be enabled, registered before the token was issued, and the `jti` not
//! revoked.

use crate::error::AppError;
use crate::oidc::claims::AccessTokenClaims;
use crate::secret::{constant_time_eq, hash_token};
use crate::state::AppState;
use crate::store::records::{AccessTokenRecord, AccountRecord};

pub enum AccessCheck {
    Active {
        claims: Box<AccessTokenClaims>,
        record: Box<AccessTokenRecord>,
        /// The token's account as read with the token (none for a portal's own token).
        account: Option<Box<AccountRecord>>,
    },
    Inactive(&'static str),
}

const INVALID: AccessCheck = AccessCheck::Inactive("the access token is invalid");

pub async fn check(state: &AppState, token: &str) -> Result<AccessCheck, AppError> {
    // The claims are read before the token is proven ours: they may only reject it
    // (issuer, expiry) or say where to look; nothing is accepted on them alone.
    let claims = match state.keys().unverified::<AccessTokenClaims>(token) {
        Ok(v) => v.claims,
        Err(e) if e.is_bad_token() => return Ok(INVALID),
        Err(e) => return Err(e.into()),
    };
    if claims.iss != state.config.issuer {
        return Ok(AccessCheck::Inactive(
            "the access token was issued elsewhere",
        ));
    }
    if claims.exp <= state.now() {
        return Ok(AccessCheck::Inactive("the access token has expired"));
    }
    if claims.is_self_contained() {
        if !signed(state, token)? {
            return Ok(INVALID);
        }
        return self_contained(state, claims).await;
    }
    let found = state.store.access_token_with_account(&claims.jti).await?;
    // The same bytes as issued need no second signature check (an ES256 verification
    // is most of a userinfo call's CPU). A row without the hash (written before it was
    // kept), other bytes under a known jti, or no row: the signature decides.
    let issued_as_presented = found
        .as_ref()
        .and_then(|f| f.token.token_hash.as_deref())
        .is_some_and(|stored| constant_time_eq(stored, &hash_token(token)));
    if !issued_as_presented && !signed(state, token)? {
        return Ok(INVALID);
    }
    let Some(found) = found else {
        return Ok(AccessCheck::Inactive("the access token is unknown"));
    };
    if found.token.revoked_at.is_some() || found.grant.is_some_and(|g| g.revoked_at.is_some()) {
        return Ok(AccessCheck::Inactive("the access token was revoked"));
    }
    Ok(AccessCheck::Active {
        claims: Box::new(claims),
        record: Box::new(found.token),
        account: found.account.map(Box::new),
    })
}

/// Does the signature hold (by one of the loaded keys)?
fn signed(state: &AppState, token: &str) -> Result<bool, AppError> {
    match state.keys().verify::<serde::de::IgnoredAny>(token) {
        Ok(_) => Ok(true),
        Err(e) if e.is_bad_token() => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn self_contained(
    state: &AppState,
    claims: AccessTokenClaims,
) -> Result<AccessCheck, AppError> {
    // A portal removed and registered again under the same id gets none of the old
    // portal's tokens back: they were issued before it existed.
    let client = state.store.active_client(&claims.client_id).await?;
    if !client.is_some_and(|c| c.created_at <= claims.iat && c.id == claims.sub) {
        return Ok(AccessCheck::Inactive(
            "the access token's client is disabled or removed",
        ));
    }
    if state.store.is_revoked(&claims.jti).await? {
        return Ok(AccessCheck::Inactive("the access token was revoked"));
    }
    let record = AccessTokenRecord {
        jti: claims.jti.clone(),
        grant_id: None,
        client_id: claims.client_id.clone(),
        account_id: None,
        scopes: claims
            .scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: claims.iat,
        expires_at: claims.exp,
        revoked_at: None,
        token_hash: None,
    };
    Ok(AccessCheck::Active {
        claims: Box::new(claims),
        record: Box::new(record),
        account: None,
    })
}
