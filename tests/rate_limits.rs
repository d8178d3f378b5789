//! Rate limits per IP address and per identifier on logins, code sending,
//! registration and recovery: 429 with `Retry-After` and a readable page; every
//! spelling of one phone number shares a bucket; a resend shares the bucket of the
//! first sending; the client's address comes from a trusted proxy's header only; the
//! buckets refill with the clock; protocol endpoints are not limited.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use reqwest::StatusCode;

/// `POST /signin` with `login` and a wrong password, optionally through a proxy header.
async fn try_login(
    app: &TestApp,
    b: &reqwest::Client,
    login: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let (_, html) = app.page(b, "/signin").await;
    let csrf = input_value(&html, "csrf").unwrap();
    let mut req = b.post(app.url("/signin")).form(&[
        ("csrf", csrf.as_str()),
        ("login", login),
        ("password", "Wrong#Pass123"),
    ]);
    if let Some(f) = forwarded {
        req = req.header("X-Forwarded-For", f);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn one_identifier_in_any_spelling_is_limited() {
    for app in apps_with(|c| {
        c.rate_limits.login.per_identifier = 3;
        c.rate_limits.login.per_identifier_burst = 3;
    })
    .await
    {
        let b = browser();
        for spelling in ["+7 999 000-00-01", "+79990000001", "8 999 000 00 01"] {
            let resp = try_login(&app, &b, spelling, None).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        }
        let resp = try_login(&app, &b, "+7(999)0000001", None).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        // Three a minute: the next one in 20 seconds.
        assert_eq!(resp.headers()["retry-after"], "20");
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let html = resp.text().await.unwrap();
        assert!(html.contains("Слишком много попыток"), "{html}");
        assert!(html.contains("Повторите через 20 с"));
        assert!(html.contains("href=\"/recover\""));
        // Another identifier has its own bucket; the page itself is never limited.
        let resp = try_login(&app, &b, "+79990000002", None).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.page(&b, "/signin").await.0, StatusCode::OK);
        // The bucket refills with the clock.
        app.clock.advance(20);
        let resp = try_login(&app, &b, "+79990000001", None).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn one_address_is_limited_and_the_page_speaks_english_too() {
    for app in apps_with(|c| {
        c.rate_limits.login.per_ip = 5;
        c.rate_limits.login.per_ip_burst = 5;
        c.rate_limits.login.per_identifier = 0;
    })
    .await
    {
        let b = browser();
        app.page(&b, "/signin?lang=en").await;
        for i in 0..5 {
            let resp = try_login(&app, &b, &format!("+7999000001{i}"), None).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        }
        let resp = try_login(&app, &b, "+79990000020", None).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "12");
        let html = resp.text().await.unwrap();
        assert!(html.contains("Too many login attempts"), "{html}");
        assert!(html.contains("try again in 12 s"));
        // Other categories have their own buckets; protocol endpoints have none.
        let (_, html) = app.page(&b, "/recover").await;
        let resp = app.submit(&b, &html, &[("login", "+79990000030")]).await;
        assert!(resp.status().is_redirection(), "{}", resp.status());
        for _ in 0..10 {
            let resp = reqwest::Client::new()
                .post(app.url("/token"))
                .form(&[("grant_type", "authorization_code"), ("code", "x")])
                .send()
                .await
                .unwrap();
            assert_ne!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        }
    }
}

#[tokio::test]
async fn the_portal_login_page_is_limited_too() {
    for app in apps_with(|c| {
        c.rate_limits.login.per_identifier = 1;
        c.rate_limits.login.per_identifier_burst = 1;
    })
    .await
    {
        let b = browser();
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!("a login page")
        };
        let fields = [("login", "+79990000001"), ("password", "Wrong#Pass123")];
        let resp = app.submit(&b, &html, &fields).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        let resp = app.submit(&b, &html, &fields).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "60");
    }
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_nobody_else_can() {
    for app in apps_with(|c| {
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
        c.rate_limits.login.per_ip = 2;
        c.rate_limits.login.per_ip_burst = 2;
        c.rate_limits.login.per_identifier = 0;
    })
    .await
    {
        let b = browser();
        for i in 0..2 {
            let login = format!("+7999000000{i}");
            let resp = try_login(&app, &b, &login, Some("198.51.100.1")).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        }
        let resp = try_login(&app, &b, "+79990000003", Some("198.51.100.1")).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        // A client cannot escape by writing another address at the left: our proxy
        // appended the real one at the right.
        let resp = try_login(&app, &b, "+79990000004", Some("203.0.113.9, 198.51.100.1")).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        // Another client behind the proxy has its own bucket.
        let resp = try_login(&app, &b, "+79990000005", Some("198.51.100.2")).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    // Without trusted proxies the header means nothing.
    for app in apps_with(|c| {
        c.rate_limits.login.per_ip = 2;
        c.rate_limits.login.per_ip_burst = 2;
        c.rate_limits.login.per_identifier = 0;
    })
    .await
    {
        let b = browser();
        for (i, ip) in ["198.51.100.1", "198.51.100.2"].into_iter().enumerate() {
            let resp = try_login(&app, &b, &format!("+7999000000{i}"), Some(ip)).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        }
        let resp = try_login(&app, &b, "+79990000003", Some("198.51.100.3")).await;
        assert_eq!(
            resp.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "[{}]",
            app.backend
        );
    }
}

/// Start a registration for `contact` in a fresh browser; returns (browser, code page).
async fn register(app: &TestApp, contact: &str) -> (reqwest::Client, reqwest::Response) {
    let b = browser();
    let (_, html) = app.page(&b, "/register").await;
    let resp = app
        .submit(
            &b,
            &html,
            &[
                ("family_name", "Петрова"),
                ("given_name", "Анна"),
                ("contact", contact),
            ],
        )
        .await;
    (b, resp)
}

#[tokio::test]
async fn codes_to_one_phone_are_limited_and_a_resend_counts() {
    for app in apps_with(|c| {
        c.rate_limits.code.per_identifier = 1;
        c.rate_limits.code.per_identifier_burst = 2;
    })
    .await
    {
        const PHONE: &str = "+79991112233";
        let (b1, resp) = register(&app, "+7 999 111-22-33").await;
        let page1 = location(&resp);
        let (_, resp) = register(&app, "8 999 111 22 33").await;
        assert!(resp.status().is_redirection(), "[{}]", app.backend);
        let (_, resp) = register(&app, "+79991112233").await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers()["retry-after"], "60");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Слишком много запросов кода")
        );
        assert_eq!(app.settled_count_to(PHONE).await, 2);
        // Another contact is not affected.
        let (_, resp) = register(&app, "+79991112244").await;
        assert!(resp.status().is_redirection());

        // A minute later one more code may go: the resend takes it …
        app.clock.advance(61);
        let (_, html) = app.page(&b1, &page1).await;
        let resp = app
            .submit_to(&b1, &html, &format!("{page1}/resend"), &[])
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(app.settled_count_to(PHONE).await, 3);
        // … and a new registration for the same phone waits again.
        let (_, resp) = register(&app, PHONE).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(app.settled_count_to(PHONE).await, 3);
    }
}

#[tokio::test]
async fn recovery_is_limited_per_address() {
    for app in apps_with(|c| {
        c.rate_limits.recover.per_ip = 2;
        c.rate_limits.recover.per_ip_burst = 2;
    })
    .await
    {
        let b = browser();
        let (_, html) = app.page(&b, "/recover").await;
        for login in ["+79990000001", "+79990000002"] {
            let resp = app.submit(&b, &html, &[("login", login)]).await;
            assert!(resp.status().is_redirection(), "[{}]", app.backend);
        }
        let resp = app.submit(&b, &html, &[("login", "+79990000003")]).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("восстановления доступа")
        );
    }
}

#[tokio::test]
async fn limits_can_be_switched_off() {
    for app in apps_with(|c| {
        c.rate_limits.enabled = false;
        c.rate_limits.login.per_ip = 1;
        c.rate_limits.login.per_identifier = 1;
    })
    .await
    {
        let b = browser();
        for _ in 0..5 {
            let resp = try_login(&app, &b, "+79990000001", None).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "[{}]", app.backend);
        }
    }
}
