//! Relying portals.

use super::codec::flag;
use super::codec::{list, parse_list};
use super::records::{ClientRecord, ClientSettings};
use super::{Store, StoreError};
use std::sync::Arc;
use std::time::Instant;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    secret_hash: Option<String>,
    name: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    scopes: String,
    grant_types: String,
    auth_method: String,
    id_token_alg: String,
    min_trust_level: String,
    created_at: i64,
    backchannel_logout_uri: Option<String>,
    require_second_factor: i64,
    access_token_ttl: Option<i64>,
    id_token_ttl: Option<i64>,
    refresh_token_ttl: Option<i64>,
    enabled: i64,
}

impl TryFrom<Row> for ClientRecord {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(ClientRecord {
            redirect_uris: parse_list("clients.redirect_uris", &r.redirect_uris)?,
            post_logout_redirect_uris: parse_list(
                "clients.post_logout_redirect_uris",
                &r.post_logout_redirect_uris,
            )?,
            scopes: parse_list("clients.scopes", &r.scopes)?,
            grant_types: parse_list("clients.grant_types", &r.grant_types)?,
            id: r.id,
            secret_hash: r.secret_hash,
            name: r.name,
            auth_method: r.auth_method,
            id_token_alg: r.id_token_alg,
            min_trust_level: r.min_trust_level,
            created_at: r.created_at,
            settings: ClientSettings {
                backchannel_logout_uri: r.backchannel_logout_uri,
                require_second_factor: r.require_second_factor != 0,
                access_token_ttl: r.access_token_ttl,
                id_token_ttl: r.id_token_ttl,
                refresh_token_ttl: r.refresh_token_ttl,
                enabled: r.enabled != 0,
            },
        })
    }
}

macro_rules! select_clients {
    ($rest:literal) => {
        concat!(
            "SELECT id, secret_hash, name, redirect_uris, post_logout_redirect_uris, scopes, grant_types, ",
            "auth_method, id_token_alg, min_trust_level, created_at, backchannel_logout_uri, require_second_factor, ",
            "access_token_ttl, id_token_ttl, refresh_token_ttl, enabled FROM clients ",
            $rest
        )
    };
}

impl Store {
    pub async fn insert_client(&self, c: &ClientRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO clients (id, secret_hash, name, redirect_uris, post_logout_redirect_uris, scopes, \
             grant_types, auth_method, id_token_alg, min_trust_level, created_at, backchannel_logout_uri, \
             require_second_factor, access_token_ttl, id_token_ttl, refresh_token_ttl, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(&c.id)
        .bind(&c.secret_hash)
        .bind(&c.name)
        .bind(list(&c.redirect_uris))
        .bind(list(&c.post_logout_redirect_uris))
        .bind(list(&c.scopes))
        .bind(list(&c.grant_types))
        .bind(&c.auth_method)
        .bind(&c.id_token_alg)
        .bind(&c.min_trust_level)
        .bind(c.created_at)
        .bind(&c.settings.backchannel_logout_uri)
        .bind(flag(c.settings.require_second_factor))
        .bind(c.settings.access_token_ttl)
        .bind(c.settings.id_token_ttl)
        .bind(c.settings.refresh_token_ttl)
        .bind(flag(c.settings.enabled))
        .execute(&self.pool)
        .await?;
        self.clients.forget(&c.id);
        Ok(())
    }

    /// Replace every field of a portal but its id and creation time. `false`: no such
    /// portal.
    pub async fn update_client(&self, c: &ClientRecord) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE clients SET secret_hash = $2, name = $3, redirect_uris = $4, post_logout_redirect_uris = $5, \
             scopes = $6, grant_types = $7, auth_method = $8, id_token_alg = $9, min_trust_level = $10, \
             backchannel_logout_uri = $11, require_second_factor = $12, access_token_ttl = $13, id_token_ttl = $14, \
             refresh_token_ttl = $15, enabled = $16 WHERE id = $1",
        )
        .bind(&c.id)
        .bind(&c.secret_hash)
        .bind(&c.name)
        .bind(list(&c.redirect_uris))
        .bind(list(&c.post_logout_redirect_uris))
        .bind(list(&c.scopes))
        .bind(list(&c.grant_types))
        .bind(&c.auth_method)
        .bind(&c.id_token_alg)
        .bind(&c.min_trust_level)
        .bind(&c.settings.backchannel_logout_uri)
        .bind(flag(c.settings.require_second_factor))
        .bind(c.settings.access_token_ttl)
        .bind(c.settings.id_token_ttl)
        .bind(c.settings.refresh_token_ttl)
        .bind(flag(c.settings.enabled))
        .execute(&self.pool)
        .await?;
        self.clients.forget(&c.id);
        Ok(done.rows_affected() == 1)
    }

    pub async fn client(&self, id: &str) -> Result<Option<ClientRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(select_clients!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// A portal the protocol endpoints may serve: a disabled one counts as unknown.
    /// Served from memory for up to a second after it was read (`client_cache`).
    pub async fn active_client(&self, id: &str) -> Result<Option<ClientRecord>, StoreError> {
        #[expect(
            clippy::disallowed_methods,
            reason = "the monotonic age of a cache entry, not the time of day"
        )]
        let asked = Instant::now();
        let client = match self.clients.get(id, asked) {
            Some(c) => c,
            None => {
                let Some(c) = self.client(id).await? else {
                    return Ok(None);
                };
                let c = Arc::new(c);
                self.clients.put(Arc::clone(&c), asked);
                c
            }
        };
        Ok(client
            .settings
            .enabled
            .then(|| ClientRecord::clone(&client)))
    }

    pub async fn list_clients(&self) -> Result<Vec<ClientRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(select_clients!("ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Remove a portal with everything issued to it, in one transaction (the schema's
    /// cascades need SQLite's foreign_keys pragma; explicit deletes do not).
    pub async fn remove_client(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM access_tokens WHERE client_id = $1",
            "DELETE FROM refresh_tokens WHERE client_id = $1",
            "DELETE FROM authorization_codes WHERE client_id = $1",
            "DELETE FROM grants WHERE client_id = $1",
            "DELETE FROM consents WHERE client_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let gone = sqlx::query("DELETE FROM clients WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.clients.forget(id);
        Ok(gone.rows_affected() > 0)
    }
}
