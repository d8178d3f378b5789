//! Fresh databases for tests: a SQLite file always, and a new PostgreSQL database per
//! test when PROPUSK_TEST_DATABASE_URL points at a server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use propusk::store::Store;

pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
}

pub async fn databases() -> Vec<TestDb> {
    let mut out = vec![sqlite().await];
    if let Ok(admin) = std::env::var("PROPUSK_TEST_DATABASE_URL")
        && !admin.is_empty()
    {
        out.push(postgres(&admin).await);
    }
    out
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("propusk.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        store,
        url,
        backend: "sqlite",
        _dir: Some(dir),
    }
}

pub async fn postgres(admin_url: &str) -> TestDb {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let name = format!(
        "propusk_t_{}",
        propusk::secret::random_b64(9)
            .to_lowercase()
            .replace(['-', '_'], "x")
    );
    let mut admin = sqlx::AnyConnection::connect(admin_url)
        .await
        .expect("PROPUSK_TEST_DATABASE_URL must reach PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(admin_url).unwrap();
    url.set_path(&format!("/{name}"));
    let url = url.to_string();
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        store,
        url,
        backend: "postgres",
        _dir: None,
    }
}
