//! Storage: one implementation on `sqlx::Any` for SQLite and PostgreSQL (portable SQL,
//! `$N` placeholders, BIGINT times and flags, TEXT lists). The backend is chosen once by
//! the URL scheme in `connect`; nothing outside this module knows which one it is, and
//! sqlx errors stop here as `StoreError`.
//!
//! State changes that must not race (consuming a code, using a refresh token, ending a
//! session, taking an interaction) are single conditional statements, so two requests
//! or two nodes can never both win.

mod accounts;
pub mod admin_citizens;
pub mod admin_journal;
pub mod audit;
pub mod certificates;
mod client_cache;
mod clients;
mod codec;
pub mod codes;
pub mod factors;
mod grants;
mod housekeeping;
mod interactions;
pub mod jobs;
pub mod levels;
pub mod lockout;
pub mod logout_deliveries;
pub mod passkeys;
pub mod personal;
pub mod records;
mod revoked_tokens;
pub mod security;
pub mod session_control;
mod sessions;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor as _};
use std::time::Duration;

pub use records::*;

/// Statements written together, as `Store::write_batch` runs them: on SQLite one
/// `BEGIN; …; COMMIT`, on PostgreSQL one statement (all but the last as data-modifying
/// CTEs). Parameters are numbered across the whole batch.
pub(super) fn batch_sql(backend: Backend, statements: &[String]) -> String {
    match (backend, statements.split_last()) {
        (_, None) => String::new(),
        (Backend::Postgres, Some((last, []))) => last.clone(),
        (Backend::Postgres, Some((last, before))) => {
            let ctes: Vec<String> = before
                .iter()
                .enumerate()
                .map(|(i, sql)| format!("w{i} AS ({sql})"))
                .collect();
            format!("WITH {} {last}", ctes.join(", "))
        }
        (Backend::Sqlite, Some(_)) => format!("BEGIN; {}; COMMIT", statements.join("; ")),
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Portals read by the protocol endpoints, shared by every clone of the store.
    clients: std::sync::Arc<client_cache::ClientCache>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint: the field that clashed ("phone", "email", "snils", "id").
    #[error("{0} is already taken")]
    Conflict(&'static str),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("unsupported database url: {0}")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(conflict_field(db.message(), db.constraint()))
            }
            _ => StoreError::Database(e.to_string()),
        }
    }
}

/// Which column a unique violation is about, from the constraint name (PostgreSQL) or
/// the message (SQLite: "UNIQUE constraint failed: accounts.phone").
fn conflict_field(message: &str, constraint: Option<&str>) -> &'static str {
    let text = format!("{} {}", constraint.unwrap_or(""), message);
    for field in [
        "phone",
        "email",
        "snils",
        "inn",
        "passport",
        "secret_hash",
        "token_hash",
        "code_hash",
    ] {
        if text.contains(field) {
            return match field {
                "phone" => "phone",
                "email" => "email",
                "snils" => "snils",
                "inn" => "inn",
                "passport" => "passport",
                _ => "id",
            };
        }
    }
    "id"
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// `sqlite://PATH` (file and folder created), `sqlite::memory:`, or
    /// `postgres://…` / `postgresql://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url, max) = if url == "sqlite::memory:" {
            // One connection: every query must see the same in-memory database.
            (Backend::Sqlite, url.to_owned(), 1)
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            let file = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(file)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Unavailable(format!("creating {}: {e}", dir.display()))
                })?;
            }
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url, 8)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned(), 16)
        } else {
            return Err(StoreError::UnsupportedUrl(
                url.split(':').next().unwrap_or("").to_owned(),
            ));
        };
        // No ping before each acquire (sqlx's default): it doubled the round trips of
        // every query (17 extra per code flow). A connection that died while idle fails
        // its next query instead, and the pool replaces it; idle connections are closed
        // after 10 minutes and every connection after 30 (sqlx's defaults).
        let mut options = AnyPoolOptions::new()
            .max_connections(max)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(10));
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; the busy timeout makes a
                    // writer wait for the lock instead of failing at once.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&url)
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Store {
            pool,
            backend,
            clients: Default::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite allows one writer at a time, and a writer that finds the database locked
    /// sleeps in SQLite's busy handler (1, 2, 5, 10 … ms) before it tries again. The
    /// writes of a login and an authorization flow (tokens, codes, sessions,
    /// interactions, the lockout counters, the audit journal) queue here instead, in
    /// arrival order, so under load they seldom meet that handler. The gate admits
    /// `WRITERS_AT_ONCE`, not one: a writer holds its place until its task runs again on
    /// a request thread, well after SQLite's own lock is free, and with one place the
    /// next write waited for that too (code flow, SQLite, 32 users: 1,280–1,360 flows/s
    /// with one place, 1,620–1,690 with three at the same p99 of about 30 ms; without a
    /// gate 1,440–1,530 at a p99 of 40 ms, from the busy handler's sleeps; see
    /// docs/performance.md, change 21). One gate per database file and
    /// process (another process still meets SQLite's busy handler); none for PostgreSQL.
    pub(super) async fn write_gate(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        const WRITERS_AT_ONCE: usize = 3;
        type Gates = std::sync::Mutex<
            std::collections::HashMap<String, std::sync::Arc<tokio::sync::Semaphore>>,
        >;
        static GATES: std::sync::LazyLock<Gates> = std::sync::LazyLock::new(Default::default);
        if self.backend != Backend::Sqlite {
            return None;
        }
        let gate = {
            let url = self.pool.connect_options();
            let mut gates = GATES
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match gates.get(url.database_url.as_str()) {
                Some(g) => std::sync::Arc::clone(g),
                None => std::sync::Arc::clone(
                    gates
                        .entry(url.database_url.as_str().to_owned())
                        .or_insert_with(|| {
                            std::sync::Arc::new(tokio::sync::Semaphore::new(WRITERS_AT_ONCE))
                        }),
                ),
            }
        };
        // Err only for a closed semaphore, and these are never closed.
        gate.acquire_owned().await.ok()
    }

    /// Run a write batch built for this backend (on SQLite `BEGIN; …; COMMIT`, on
    /// PostgreSQL one statement with data-modifying CTEs): all or nothing, in one round
    /// trip, at the write gate. It runs on its own task, so a caller that goes away
    /// cannot leave a transaction half done.
    pub(super) async fn write_batch(
        &self,
        what: &'static str,
        q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<(), StoreError> {
        let store = self.clone();
        let task = tokio::spawn(async move {
            let _gate = store.write_gate().await;
            match store.backend {
                Backend::Postgres => q.execute(&store.pool).await.map(drop),
                Backend::Sqlite => {
                    let mut conn = store.pool.acquire().await?;
                    let done = q.execute(&mut *conn).await.map(drop);
                    if done.is_err() {
                        // The batch stopped at the failing statement inside its transaction.
                        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                    }
                    done
                }
            }
        });
        task.await
            .map_err(|e| StoreError::Database(format!("{what}: {e}")))?
            .map_err(StoreError::from)
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
