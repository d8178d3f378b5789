//! Parked authorization requests and remembered consents.

use super::codec::{flag, list, parse_list};
use super::records::{ConsentRecord, InteractionRecord};
use super::{Store, StoreError};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    binding_hash: String,
    csrf_token: String,
    request_json: String,
    login_json: Option<String>,
    consent_given: i64,
    created_at: i64,
    expires_at: i64,
}

impl From<Row> for InteractionRecord {
    fn from(r: Row) -> Self {
        InteractionRecord {
            id: r.id,
            binding_hash: r.binding_hash,
            csrf_token: r.csrf_token,
            request_json: r.request_json,
            login_json: r.login_json,
            consent_given: r.consent_given != 0,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

impl Store {
    pub async fn insert_interaction(&self, i: &InteractionRecord) -> Result<(), StoreError> {
        let _gate = self.write_gate().await;
        sqlx::query(
            "INSERT INTO interactions (id, binding_hash, csrf_token, request_json, login_json, consent_given, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&i.id)
        .bind(&i.binding_hash)
        .bind(&i.csrf_token)
        .bind(&i.request_json)
        .bind(&i.login_json)
        .bind(flag(i.consent_given))
        .bind(i.created_at)
        .bind(i.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn interaction(&self, id: &str) -> Result<Option<InteractionRecord>, StoreError> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, binding_hash, csrf_token, request_json, login_json, consent_given, created_at, expires_at \
             FROM interactions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    pub async fn set_interaction_consent(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE interactions SET consent_given = 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Delete and return in one statement: of two parallel resumes only one gets it.
    pub async fn take_interaction(
        &self,
        id: &str,
    ) -> Result<Option<InteractionRecord>, StoreError> {
        let _gate = self.write_gate().await;
        let row: Option<Row> = sqlx::query_as(
            "DELETE FROM interactions WHERE id = $1 RETURNING id, binding_hash, csrf_token, request_json, \
             login_json, consent_given, created_at, expires_at",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    pub async fn consent(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<Option<ConsentRecord>, StoreError> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT account_id, client_id, scopes, granted_at FROM consents WHERE account_id = $1 AND client_id = $2",
        )
        .bind(account_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(account_id, client_id, scopes, granted_at)| {
            Ok(ConsentRecord {
                account_id,
                client_id,
                scopes: parse_list("consents.scopes", &scopes)?,
                granted_at,
            })
        })
        .transpose()
    }

    /// Insert or replace the scope list (both backends support `ON CONFLICT … DO UPDATE`).
    pub async fn upsert_consent(&self, c: &ConsentRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO consents (account_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at",
        )
        .bind(&c.account_id)
        .bind(&c.client_id)
        .bind(list(&c.scopes))
        .bind(c.granted_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
