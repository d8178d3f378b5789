//! Authorization codes, grants (token families), refresh and access tokens.

use super::codec::{list, parse_list};
use super::records::{
    AccessTokenRecord, AccessWithAccount, AccountRecord, CodeRecord, CodeUse, GrantRecord,
    RefreshTokenRecord, RefreshUse, TokenIssue,
};
use super::{Backend, Store, StoreError, batch_sql};
use crate::clock::UnixTime;
use std::sync::LazyLock;

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
    token_hash: Option<String>,
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
            token_hash: r.token_hash,
        })
    }
}

/// A grant read beside a token (LEFT JOIN, or subqueries in RETURNING): every column
/// may be NULL when the grant row is missing.
#[derive(sqlx::FromRow)]
struct JoinedGrant {
    g_id: Option<String>,
    g_client_id: Option<String>,
    g_account_id: Option<String>,
    g_scopes: Option<String>,
    g_created_at: Option<i64>,
    g_revoked_at: Option<i64>,
}

impl JoinedGrant {
    fn into_record(self) -> Result<Option<GrantRecord>, StoreError> {
        let (Some(id), Some(client_id), Some(scopes), Some(created_at)) = (
            self.g_id,
            self.g_client_id,
            self.g_scopes,
            self.g_created_at,
        ) else {
            return Ok(None);
        };
        Ok(Some(GrantRecord {
            scopes: parse_list("grants.scopes", &scopes)?,
            id,
            client_id,
            account_id: self.g_account_id,
            created_at,
            revoked_at: self.g_revoked_at,
        }))
    }
}

#[derive(sqlx::FromRow)]
struct RefreshWithGrant {
    #[sqlx(flatten)]
    token: RefreshRow,
    #[sqlx(flatten)]
    grant: JoinedGrant,
}

impl RefreshWithGrant {
    fn split(self) -> Result<(RefreshTokenRecord, GrantRecord), StoreError> {
        let token: RefreshTokenRecord = self.token.try_into()?;
        let grant = self.grant.into_record()?.ok_or_else(|| {
            StoreError::Corrupt(format!("refresh token without grant {}", token.grant_id))
        })?;
        Ok((token, grant))
    }
}

/// One column of a consumed code's account (`u_` + column), as a scalar subquery in
/// RETURNING, with the comma before it.
macro_rules! code_account {
    ($column:literal) => {
        concat!(
            ", (SELECT ",
            $column,
            " FROM accounts WHERE accounts.id = authorization_codes.account_id) AS u_",
            $column
        )
    };
}

/// One column of the refresh token's grant, as a scalar subquery in RETURNING.
macro_rules! grant_subquery {
    ($column:literal, $alias:literal) => {
        concat!(
            "(SELECT ",
            $column,
            " FROM grants WHERE grants.id = refresh_tokens.grant_id) AS ",
            $alias
        )
    };
}

/// The statement of `issue_tokens` for a backend, with or without the grant and the
/// refresh token; parameters are numbered grant (6), access token (8), refresh token (12).
fn issue_sql(backend: Backend, grant: bool, refresh: bool) -> &'static str {
    static SQL: LazyLock<[String; 8]> = LazyLock::new(|| {
        let mut all: [String; 8] = Default::default();
        for (i, slot) in all.iter_mut().enumerate() {
            let backend = if i & 4 == 0 {
                Backend::Sqlite
            } else {
                Backend::Postgres
            };
            *slot = build_issue_sql(backend, i & 1 != 0, i & 2 != 0);
        }
        all
    });
    let i = usize::from(grant)
        | usize::from(refresh) << 1
        | usize::from(backend == Backend::Postgres) << 2;
    SQL[i].as_str()
}

fn build_issue_sql(backend: Backend, grant: bool, refresh: bool) -> String {
    let values = |from: usize, n: usize| {
        let p: Vec<String> = (from..from + n).map(|i| format!("${i}")).collect();
        format!("VALUES ({})", p.join(", "))
    };
    let mut inserts = Vec::new();
    let mut next = 1;
    if grant {
        inserts.push(format!(
            "INSERT INTO grants (id, client_id, account_id, scopes, created_at, revoked_at) {}",
            values(next, 6)
        ));
        next += 6;
    }
    inserts.push(format!(
        "INSERT INTO access_tokens (jti, grant_id, client_id, account_id, scopes, created_at, \
         expires_at, revoked_at, token_hash) {}",
        values(next, 9)
    ));
    next += 9;
    if refresh {
        inserts.push(format!(
            "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, session_id, \
             scopes, auth_time, acr, amr, created_at, expires_at, used_at) {}",
            values(next, 12)
        ));
    }
    batch_sql(backend, &inserts)
}

impl Store {
    pub async fn insert_code(&self, c: &CodeRecord) -> Result<(), StoreError> {
        let _gate = self.write_gate().await;
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
        Ok(self.consume_code_with_account(code_hash, now).await?.0)
    }

    /// `consume_code`, and when it consumed the code, the code's account read in the same
    /// statement (scalar subqueries in RETURNING): the token endpoint needs it next.
    pub async fn consume_code_with_account(
        &self,
        code_hash: &str,
        now: UnixTime,
    ) -> Result<(CodeUse, Option<AccountRecord>), StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            code: CodeRow,
            #[sqlx(flatten)]
            account: super::accounts::JoinedAccount,
        }
        let gate = self.write_gate().await;
        let consumed: Option<Row> = sqlx::query_as(concat!(
            "UPDATE authorization_codes SET consumed_at = $1 WHERE code_hash = $2 AND consumed_at IS NULL \
             RETURNING code_hash, grant_id, client_id, account_id, session_id, redirect_uri, scopes, nonce, \
             code_challenge, auth_time, acr, amr, created_at, expires_at, consumed_at",
            code_account!("id"),
            code_account!("family_name"),
            code_account!("given_name"),
            code_account!("middle_name"),
            code_account!("phone"),
            code_account!("email"),
            code_account!("snils"),
            code_account!("phone_verified"),
            code_account!("email_verified"),
            code_account!("password_hash"),
            code_account!("trust_level"),
            code_account!("status"),
            code_account!("created_at"),
            code_account!("updated_at"),
        ))
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        drop(gate);
        if let Some(row) = consumed {
            return Ok((
                CodeUse::Consumed(row.code.try_into()?),
                row.account.into_record(),
            ));
        }
        let seen: Option<CodeRow> = sqlx::query_as(
            "SELECT code_hash, grant_id, client_id, account_id, session_id, redirect_uri, scopes, nonce, \
             code_challenge, auth_time, acr, amr, created_at, expires_at, consumed_at \
             FROM authorization_codes WHERE code_hash = $1",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        let found = match seen {
            Some(row) => CodeUse::Replayed(row.try_into()?),
            None => CodeUse::NotFound,
        };
        Ok((found, None))
    }

    /// Everything one token response writes, all or nothing, in one round trip to the
    /// database (`write_batch`): on PostgreSQL one statement (the grant and access token
    /// as data-modifying CTEs), on SQLite one batch `BEGIN; INSERT …; COMMIT`.
    pub async fn issue_tokens(&self, issue: &TokenIssue) -> Result<(), StoreError> {
        let sql = issue_sql(self.backend, issue.grant.is_some(), issue.refresh.is_some());
        let mut q = sqlx::query(sql);
        if let Some(g) = &issue.grant {
            q = q
                .bind(g.id.clone())
                .bind(g.client_id.clone())
                .bind(g.account_id.clone())
                .bind(list(&g.scopes))
                .bind(g.created_at)
                .bind(g.revoked_at);
        }
        let a = &issue.access;
        q = q
            .bind(a.jti.clone())
            .bind(a.grant_id.clone())
            .bind(a.client_id.clone())
            .bind(a.account_id.clone())
            .bind(list(&a.scopes))
            .bind(a.created_at)
            .bind(a.expires_at)
            .bind(a.revoked_at)
            .bind(a.token_hash.clone());
        if let Some(r) = &issue.refresh {
            q = q
                .bind(r.token_hash.clone())
                .bind(r.grant_id.clone())
                .bind(r.client_id.clone())
                .bind(r.account_id.clone())
                .bind(r.session_id.clone())
                .bind(list(&r.scopes))
                .bind(r.auth_time)
                .bind(r.acr.clone())
                .bind(list(&r.amr))
                .bind(r.created_at)
                .bind(r.expires_at)
                .bind(r.used_at);
        }
        self.write_batch("issuing tokens", q).await
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
        let _gate = self.write_gate().await;
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
        let _gate = self.write_gate().await;
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

    /// One conditional statement marks the token used, so only one refresh wins; it
    /// returns the token's grant too (scalar subqueries in RETURNING), one round trip.
    pub async fn use_refresh_token(
        &self,
        token_hash: &str,
        now: UnixTime,
    ) -> Result<RefreshUse, StoreError> {
        let gate = self.write_gate().await;
        let fresh: Option<RefreshWithGrant> = sqlx::query_as(concat!(
            "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
             RETURNING token_hash, grant_id, client_id, account_id, session_id, scopes, auth_time, acr, amr, \
             created_at, expires_at, used_at, ",
            grant_subquery!("id", "g_id"),
            ", ",
            grant_subquery!("client_id", "g_client_id"),
            ", ",
            grant_subquery!("account_id", "g_account_id"),
            ", ",
            grant_subquery!("scopes", "g_scopes"),
            ", ",
            grant_subquery!("created_at", "g_created_at"),
            ", ",
            grant_subquery!("revoked_at", "g_revoked_at"),
        ))
        .bind(now)
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        drop(gate);
        if let Some(row) = fresh {
            let (token, grant) = row.split()?;
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
        let row: Option<RefreshWithGrant> = sqlx::query_as(
            "SELECT r.token_hash, r.grant_id, r.client_id, r.account_id, r.session_id, r.scopes, r.auth_time, \
             r.acr, r.amr, r.created_at, r.expires_at, r.used_at, g.id AS g_id, g.client_id AS g_client_id, \
             g.account_id AS g_account_id, g.scopes AS g_scopes, g.created_at AS g_created_at, \
             g.revoked_at AS g_revoked_at \
             FROM refresh_tokens r LEFT JOIN grants g ON g.id = r.grant_id WHERE r.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(RefreshWithGrant::split).transpose()
    }

    /// The access token with its grant.
    pub async fn access_token(
        &self,
        jti: &str,
    ) -> Result<Option<(AccessTokenRecord, Option<GrantRecord>)>, StoreError> {
        Ok(self
            .access_token_with_account(jti)
            .await?
            .map(|found| (found.token, found.grant)))
    }

    /// The access token with its grant and its account, in one query (userinfo needs all
    /// three for every request; revocation, only the first two).
    pub async fn access_token_with_account(
        &self,
        jti: &str,
    ) -> Result<Option<AccessWithAccount>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            token: AccessRow,
            #[sqlx(flatten)]
            grant: JoinedGrant,
            #[sqlx(flatten)]
            account: super::accounts::JoinedAccount,
        }
        let row: Option<Row> = sqlx::query_as(concat!(
            "SELECT a.jti, a.grant_id, a.client_id, a.account_id, a.scopes, a.created_at, a.expires_at, \
             a.revoked_at, a.token_hash, g.id AS g_id, g.client_id AS g_client_id, g.account_id AS g_account_id, \
             g.scopes AS g_scopes, g.created_at AS g_created_at, g.revoked_at AS g_revoked_at, ",
            super::accounts::joined_account_columns!(),
            " FROM access_tokens a LEFT JOIN grants g ON g.id = a.grant_id \
             LEFT JOIN accounts u ON u.id = a.account_id WHERE a.jti = $1",
        ))
        .bind(jti)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(AccessWithAccount {
            token: row.token.try_into()?,
            grant: row.grant.into_record()?,
            account: row.account.into_record(),
        }))
    }

    pub async fn revoke_access_token(&self, jti: &str, now: UnixTime) -> Result<(), StoreError> {
        let _gate = self.write_gate().await;
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
