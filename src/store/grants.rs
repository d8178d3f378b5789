//! Authorization codes, grants (token families), refresh and access tokens.

use super::codec::{list, parse_list};
use super::records::{
    AccessTokenRecord, CodeRecord, CodeUse, GrantRecord, RefreshTokenRecord, RefreshUse, TokenIssue,
};
use super::{Store, StoreError};
use crate::clock::UnixTime;

#[derive(sqlx::FromRow)]
struct CodeRow {
    code_hash: String,
    grant_id: String,
    client_id: String,
    account_id: String,
    session_id: String,
    redirect_uri: String,
    scopes: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    auth_time: i64,
    acr: String,
    amr: String,
    created_at: i64,
    expires_at: i64,
    consumed_at: Option<i64>,
}

impl TryFrom<CodeRow> for CodeRecord {
    type Error = StoreError;
    fn try_from(r: CodeRow) -> Result<Self, StoreError> {
        Ok(CodeRecord {
            scopes: parse_list("authorization_codes.scopes", &r.scopes)?,
            amr: parse_list("authorization_codes.amr", &r.amr)?,
            code_hash: r.code_hash,
            grant_id: r.grant_id,
            client_id: r.client_id,
            account_id: r.account_id,
            session_id: r.session_id,
            redirect_uri: r.redirect_uri,
            nonce: r.nonce,
            code_challenge: r.code_challenge,
            auth_time: r.auth_time,
            acr: r.acr,
            created_at: r.created_at,
            expires_at: r.expires_at,
            consumed_at: r.consumed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: String,
    client_id: String,
    account_id: Option<String>,
    scopes: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<GrantRow> for GrantRecord {
    type Error = StoreError;
    fn try_from(r: GrantRow) -> Result<Self, StoreError> {
        Ok(GrantRecord {
            scopes: parse_list("grants.scopes", &r.scopes)?,
            id: r.id,
            client_id: r.client_id,
            account_id: r.account_id,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_hash: String,
    grant_id: String,
    client_id: String,
    account_id: String,
    session_id: String,
    scopes: String,
    auth_time: i64,
    acr: String,
    amr: String,
    created_at: i64,
    expires_at: i64,
    used_at: Option<i64>,
}

impl TryFrom<RefreshRow> for RefreshTokenRecord {
    type Error = StoreError;
    fn try_from(r: RefreshRow) -> Result<Self, StoreError> {
        Ok(RefreshTokenRecord {
            scopes: parse_list("refresh_tokens.scopes", &r.scopes)?,
            amr: parse_list("refresh_tokens.amr", &r.amr)?,
            token_hash: r.token_hash,
            grant_id: r.grant_id,
            client_id: r.client_id,
            account_id: r.account_id,
            session_id: r.session_id,
            auth_time: r.auth_time,
            acr: r.acr,
            created_at: r.created_at,
            expires_at: r.expires_at,
            used_at: r.used_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    jti: String,
    grant_id: Option<String>,
    client_id: String,
    account_id: Option<String>,
    scopes: String,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<AccessRow> for AccessTokenRecord {
    type Error = StoreError;
    fn try_from(r: AccessRow) -> Result<Self, StoreError> {
        Ok(AccessTokenRecord {
            scopes: parse_list("access_tokens.scopes", &r.scopes)?,
            jti: r.jti,
            grant_id: r.grant_id,
            client_id: r.client_id,
            account_id: r.account_id,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        })
    }
}

impl Store {
    pub async fn insert_code(&self, c: &CodeRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, grant_id, client_id, account_id, session_id, redirect_uri, \
             scopes, nonce, code_challenge, auth_time, acr, amr, created_at, expires_at, consumed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&c.code_hash)
        .bind(&c.grant_id)
        .bind(&c.client_id)
        .bind(&c.account_id)
        .bind(&c.session_id)
        .bind(&c.redirect_uri)
        .bind(list(&c.scopes))
        .bind(&c.nonce)
        .bind(&c.code_challenge)
        .bind(c.auth_time)
        .bind(&c.acr)
        .bind(list(&c.amr))
        .bind(c.created_at)
        .bind(c.expires_at)
        .bind(c.consumed_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One conditional statement consumes the code, so only one presentation wins.
    pub async fn consume_code(
        &self,
        code_hash: &str,
        now: UnixTime,
    ) -> Result<CodeUse, StoreError> {
        let consumed: Option<CodeRow> = sqlx::query_as(
            "UPDATE authorization_codes SET consumed_at = $1 WHERE code_hash = $2 AND consumed_at IS NULL \
             RETURNING code_hash, grant_id, client_id, account_id, session_id, redirect_uri, scopes, nonce, \
             code_challenge, auth_time, acr, amr, created_at, expires_at, consumed_at",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = consumed {
            return Ok(CodeUse::Consumed(row.try_into()?));
        }
        let seen: Option<CodeRow> = sqlx::query_as(
            "SELECT code_hash, grant_id, client_id, account_id, session_id, redirect_uri, scopes, nonce, \
             code_challenge, auth_time, acr, amr, created_at, expires_at, consumed_at \
             FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match seen {
            Some(row) => CodeUse::Replayed(row.try_into()?),
            None => CodeUse::NotFound,
        })
    }

    /// Everything one token response writes, all or nothing.
    pub async fn issue_tokens(&self, issue: &TokenIssue) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if let Some(g) = &issue.grant {
            sqlx::query(
                "INSERT INTO grants (id, client_id, account_id, scopes, created_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&g.id)
            .bind(&g.client_id)
            .bind(&g.account_id)
            .bind(list(&g.scopes))
            .bind(g.created_at)
            .bind(g.revoked_at)
            .execute(&mut *tx)
            .await?;
        }
        let a = &issue.access;
        sqlx::query(
            "INSERT INTO access_tokens (jti, grant_id, client_id, account_id, scopes, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&a.jti)
        .bind(&a.grant_id)
        .bind(&a.client_id)
        .bind(&a.account_id)
        .bind(list(&a.scopes))
        .bind(a.created_at)
        .bind(a.expires_at)
        .bind(a.revoked_at)
        .execute(&mut *tx)
        .await?;
        if let Some(r) = &issue.refresh {
            sqlx::query(
                "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, session_id, scopes, \
                 auth_time, acr, amr, created_at, expires_at, used_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&r.token_hash)
            .bind(&r.grant_id)
            .bind(&r.client_id)
            .bind(&r.account_id)
            .bind(&r.session_id)
            .bind(list(&r.scopes))
            .bind(r.auth_time)
            .bind(&r.acr)
            .bind(list(&r.amr))
            .bind(r.created_at)
            .bind(r.expires_at)
            .bind(r.used_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn grant(&self, id: &str) -> Result<Option<GrantRecord>, StoreError> {
        let row: Option<GrantRow> = sqlx::query_as(
            "SELECT id, client_id, account_id, scopes, created_at, revoked_at FROM grants WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Revoke a family: every access and refresh token of the grant becomes inactive.
    pub async fn revoke_grant(&self, id: &str, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn revoke_grants_for(
        &self,
        account_id: &str,
        client_id: &str,
        now: UnixTime,
    ) -> Result<u64, StoreError> {
        let r = sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE account_id = $2 AND client_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(account_id)
        .bind(client_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// One conditional statement marks the token used, so only one refresh wins.
    pub async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: UnixTime,
    ) -> Result<RefreshUse, StoreError> {
        let fresh: Option<RefreshRow> = sqlx::query_as(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             RETURNING token_hash, grant_id, client_id, account_id, session_id, scopes, auth_time, acr, amr, \
             created_at, expires_at, used_at",
        )
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = fresh {
            let token: RefreshTokenRecord = row.try_into()?;
            let grant = self.grant(&token.grant_id).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("refresh token without grant {}", token.grant_id))
            })?;
            return Ok(RefreshUse::Fresh { token, grant });
        }
        Ok(match self.refresh_token(token_hash).await? {
            Some((token, _)) => RefreshUse::Reused(token),
            None => RefreshUse::NotFound,
        })
    }

    pub async fn refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(RefreshTokenRecord, GrantRecord)>, StoreError> {
        let row: Option<RefreshRow> = sqlx::query_as(
            "SELECT token_hash, grant_id, client_id, account_id, session_id, scopes, auth_time, acr, amr, \
             created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token: RefreshTokenRecord = row.try_into()?;
        let grant = self.grant(&token.grant_id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("refresh token without grant {}", token.grant_id))
        })?;
        Ok(Some((token, grant)))
    }

    pub async fn access_token(
        &self,
        jti: &str,
    ) -> Result<Option<(AccessTokenRecord, Option<GrantRecord>)>, StoreError> {
        let row: Option<AccessRow> = sqlx::query_as(
            "SELECT jti, grant_id, client_id, account_id, scopes, created_at, expires_at, revoked_at \
             FROM access_tokens WHERE jti = $1",
        )
        .bind(jti)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token: AccessTokenRecord = row.try_into()?;
        let grant = match &token.grant_id {
            Some(g) => self.grant(g).await?,
            None => None,
        };
        Ok(Some((token, grant)))
    }

    pub async fn revoke_access_token(&self, jti: &str, now: UnixTime) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE access_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(jti)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
