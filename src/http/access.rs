//! Is this access token live? Signature, issuer and expiry from the JWT, then the
//! database row (revocation of the token or of its grant).

use crate::error::AppError;
use crate::oidc::claims::AccessTokenClaims;
use crate::state::AppState;
use crate::store::records::AccessTokenRecord;

pub enum AccessCheck {
    Active {
        claims: Box<AccessTokenClaims>,
        record: Box<AccessTokenRecord>,
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
    let Some((record, grant)) = state.store.access_token(&claims.jti).await? else {
        return Ok(AccessCheck::Inactive("the access token is unknown"));
    };
    if record.revoked_at.is_some() || grant.is_some_and(|g| g.revoked_at.is_some()) {
        return Ok(AccessCheck::Inactive("the access token was revoked"));
    }
    Ok(AccessCheck::Active {
        claims: Box::new(claims),
        record: Box::new(record),
    })
}
