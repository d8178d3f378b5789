//! Brute-force lockout: three wrong passwords in a row lock the account for fifteen
//! minutes; 200 parallel wrong guesses never get more than three checked, in one server
//! and across two server processes sharing one PostgreSQL; the lock is audited and the
//! citizen is told; after the lock the right password works again.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use reqwest::StatusCode;

const PHONE: &str = "+79123456789";

/// 200 wrong passwords at once against `bases` (round robin), from one browser
/// (one CSRF cookie). Returns (401 count, 429 count).
async fn storm(bases: &[String], n: usize) -> (usize, usize) {
    let b = browser();
    let html = b
        .get(format!("{}/signin", bases[0]))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = input_value(&html, "csrf").unwrap();
    let mut tasks = Vec::new();
    for i in 0..n {
        let b = b.clone();
        let url = format!("{}/signin", bases[i % bases.len()]);
        let csrf = csrf.clone();
        tasks.push(tokio::spawn(async move {
            b.post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("login", PHONE),
                    ("password", "Wrong#Pass123"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let (mut checked, mut locked) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => locked += 1,
            other => panic!("unexpected {other}"),
        }
    }
    (checked, locked)
}

async fn failures(store: &propusk::store::Store) -> usize {
    store
        .audit_for_account("citizen-1", 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "login_failed")
        .count()
}

#[tokio::test]
async fn parallel_wrong_guesses_get_three_checks_then_a_lock() {
    for app in apps().await {
        let (wrong, locked) = storm(std::slice::from_ref(&app.base), 200).await;
        // Three passwords were checked (the journal has them); the third one locked the
        // account, so it and every other answer say "locked".
        assert_eq!(
            failures(&app.store).await,
            3,
            "{}: only the limit is checked",
            app.backend
        );
        assert_eq!((wrong, locked), (2, 198));
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "account_locked").count(), 1);
        let told = app.nth_message_to(PHONE, 1).await;
        assert!(told.text.contains("заблокирован"), "{}", told.text);

        // Locked: even the right password is refused, and the page offers recovery.
        let b = browser();
        let resp = app.sign_in(&b, PHONE, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let body = resp.text().await.unwrap();
        assert!(body.contains("вход временно заблокирован"), "{body}");
        assert!(body.contains("href=\"/recover\""));
        // So is the portal's login page.
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let resp = app
            .submit(&b, &html, &[("login", PHONE), ("password", PASSWORD)])
            .await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);

        // Fifteen minutes later the right password works and the count starts again.
        app.clock.advance(15 * 60 + 1);
        assert_eq!(
            location(&app.sign_in(&browser(), PHONE, PASSWORD).await),
            "/cabinet"
        );
        let (wrong, _) = storm(std::slice::from_ref(&app.base), 2).await;
        assert_eq!(wrong, 2, "a success resets the count");
        assert_eq!(
            location(&app.sign_in(&browser(), PHONE, PASSWORD).await),
            "/cabinet"
        );
        // Each success reset the count and was journaled in the same write.
        let logins: Vec<serde_json::Value> = app
            .store
            .audit_for_account("citizen-1", 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "login")
            .map(|e| serde_json::from_str(&e.detail).unwrap())
            .collect();
        assert_eq!(logins.len(), 2, "{}: {logins:?}", app.backend);
        assert!(logins.iter().all(|d| d["method"] == "pwd"), "{logins:?}");
    }
}

#[tokio::test]
async fn two_server_processes_share_the_counter_on_postgresql() {
    let Ok(admin) = std::env::var("PROPUSK_TEST_DATABASE_URL") else {
        eprintln!("PROPUSK_TEST_DATABASE_URL not set: the two-process test needs PostgreSQL");
        return;
    };
    if admin.is_empty() {
        return;
    }
    let db = common::db::postgres(&admin).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: Option<&str>| {
        use std::io::Write as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_propusk"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("PROPUSK_TEST_DATABASE_URL")
            .env("PROPUSK_DATABASE_URL", &db.url)
            .env("PROPUSK_KEYS_DIR", dir.path().join("keys"))
            .env("PROPUSK_PASSWORD_HASH__MEMORY_KIB", "256")
            .env("PROPUSK_PASSWORD_HASH__ITERATIONS", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child
    };
    let status = run(
        &["user", "add", "--name", "Иванов Иван", "--phone", PHONE],
        Some(&format!("{PASSWORD}\n")),
    )
    .wait()
    .unwrap();
    assert!(status.success());
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for _ in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        // Each process gets its own listen address and issuer.
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_propusk"))
            .arg("serve")
            .current_dir(dir.path())
            .env_remove("PROPUSK_TEST_DATABASE_URL")
            .env("PROPUSK_DATABASE_URL", &db.url)
            .env("PROPUSK_KEYS_DIR", dir.path().join("keys"))
            .env("PROPUSK_PASSWORD_HASH__MEMORY_KIB", "256")
            .env("PROPUSK_PASSWORD_HASH__ITERATIONS", "1")
            .env("PROPUSK_LISTEN", format!("127.0.0.1:{port}"))
            .env("PROPUSK_ISSUER", &base)
            .env(
                "PROPUSK_NOTIFY__OUTBOX_FILE",
                dir.path().join("outbox.jsonl"),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        servers.push(child);
        for _ in 0..100 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        bases.push(base);
    }
    let (wrong, locked) = storm(&bases, 200).await;
    for mut s in servers {
        s.kill().ok();
        let _ = s.wait();
    }
    assert_eq!(
        (wrong, locked),
        (2, 198),
        "two nodes together check only the limit"
    );
    let id = db.store.list_accounts().await.unwrap()[0].id.clone();
    let failed = db
        .store
        .audit_for_account(&id, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind == "login_failed")
        .count();
    assert_eq!(failed, 3);
}
