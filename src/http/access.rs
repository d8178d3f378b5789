//! Is this access token live? Signature, issuer and expiry from the JWT, then: for a
//! citizen's token the database row (revocation of the token or of its grant); for a
//! portal's own self-contained token (client credentials, no row) the portal must still
//! be enabled, registered before the token was issued, and the `jti` not revoked.

use crate::error::AppError;
use crate::oidc::claims::AccessTokenClaims;
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

pub async fn check(state: &AppState, token: &str) -> Result<AccessCheck, AppError> {
    let claims = match state.keys().verify::<AccessTokenClaims>(token) {
        Ok(v) => v.claims,
        Err(e) if e.is_bad_token() => {
            return Ok(AccessCheck::Inactive("the access token is invalid"));
        }
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
        return self_contained(state, claims).await;
    }
    let Some(found) = state.store.access_token_with_account(&claims.jti).await? else {
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
    };
    Ok(AccessCheck::Active {
        claims: Box::new(claims),
        record: Box::new(record),
        account: None,
    })
}
