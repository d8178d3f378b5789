//! The citizen's sessions: the sessions page (devices, this one marked, ending one or
//! all others), the login history, changing the password (every other session ends,
//! wrong current passwords count toward the lockout) and the new-device notice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::clock::Clock as _;
use propusk::http::account::devices::notify_if_new_device;
use reqwest::StatusCode;

const PHONE: &str = "+79123456789";
const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const NEW_PASSWORD: &str = "Zq8!rTm4#wPx";

fn browser_as(ua: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(ua)
        .build()
        .unwrap()
}

async fn signed_in(app: &TestApp, ua: &str) -> reqwest::Client {
    let b = browser_as(ua);
    assert_eq!(
        location(&app.sign_in(&b, PHONE, PASSWORD).await),
        "/cabinet"
    );
    b
}

async fn in_cabinet(app: &TestApp, b: &reqwest::Client) -> bool {
    app.page(b, "/cabinet").await.0 == StatusCode::OK
}

/// The id of the live session whose user agent is `ua`.
async fn session_of(app: &TestApp, ua: &str) -> String {
    app.store
        .sessions_of("citizen-1", app.clock.now())
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.user_agent.as_deref() == Some(ua))
        .unwrap()
        .id
}

async fn post(
    app: &TestApp,
    b: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    // The cabinet always has a form (sign-out), so it always carries the token.
    let (_, html) = app.page(b, "/cabinet").await;
    let csrf = input_value(&html, "csrf").unwrap();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(app.url(path)).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn the_page_lists_live_sessions_and_marks_this_one() {
    for app in apps().await {
        let resp = browser()
            .get(app.url("/cabinet/sessions"))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&resp), "/signin");
        let a = signed_in(&app, CHROME_WIN).await;
        let _f = signed_in(&app, FIREFOX_LINUX).await;
        let (_, cabinet) = app.page(&a, "/cabinet").await;
        assert!(cabinet.contains("href=\"/cabinet/sessions\""));
        let (status, html) = app.page(&a, "/cabinet/sessions").await;
        assert_eq!(status, StatusCode::OK, "[{}]", app.backend);
        assert_eq!(html.matches("class=\"session\"").count(), 2, "{html}");
        let current = html
            .split("class=\"session\"")
            .find(|li| li.starts_with(" data-current=\"yes\""))
            .unwrap();
        assert!(current.contains("Chrome, Windows"), "{current}");
        assert!(current.contains("это устройство"));
        assert!(current.contains("IP 127.0.0.1"));
        assert!(current.contains("пароль"), "the method: {current}");
        assert!(html.contains("Firefox, Linux"));
        assert_eq!(html.matches("action=\"/cabinet/sessions/end\"").count(), 1);
        assert!(html.contains("action=\"/cabinet/sessions/end-others\""));
        // In English too.
        let (_, en) = app.page(&a, "/cabinet/sessions?lang=en").await;
        assert!(en.contains("this device") && en.contains("Login history"));
    }
}

#[tokio::test]
async fn ending_another_session_logs_that_browser_out() {
    for app in apps().await {
        let a = signed_in(&app, CHROME_WIN).await;
        let f = signed_in(&app, FIREFOX_LINUX).await;
        let firefox = session_of(&app, FIREFOX_LINUX).await;

        // Without the CSRF token nothing happens.
        let forged = a
            .post(app.url("/cabinet/sessions/end"))
            .form(&[("session", firefox.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(in_cabinet(&app, &f).await);

        let resp = post(&app, &a, "/cabinet/sessions/end", &[("session", &firefox)]).await;
        assert_eq!(location(&resp), "/cabinet/sessions?done=ended");
        assert!(!in_cabinet(&app, &f).await, "[{}]", app.backend);
        assert!(in_cabinet(&app, &a).await);
        let (_, html) = app.page(&a, "/cabinet/sessions?done=ended").await;
        assert!(html.contains("Сеанс завершён."));
        assert_eq!(html.matches("class=\"session\"").count(), 1);
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.contains(&"sessions_ended".to_owned()));
    }
}

#[tokio::test]
async fn another_accounts_session_cannot_be_ended() {
    for app in apps().await {
        let mut other = citizen(app.clock.now()).await;
        other.id = "citizen-2".into();
        other.phone = Some("+79990001122".into());
        other.email = None;
        other.snils = None;
        app.store.insert_account(&other).await.unwrap();
        let b = browser();
        assert_eq!(
            location(&app.sign_in(&b, "+79990001122", PASSWORD).await),
            "/cabinet"
        );
        let theirs = app
            .store
            .sessions_of("citizen-2", app.clock.now())
            .await
            .unwrap()[0]
            .id
            .clone();
        let a = signed_in(&app, CHROME_WIN).await;
        let resp = post(&app, &a, "/cabinet/sessions/end", &[("session", &theirs)]).await;
        assert!(location(&resp).starts_with("/cabinet/sessions"));
        assert!(in_cabinet(&app, &b).await, "[{}]", app.backend);
        let s = app.store.session(&theirs).await.unwrap().unwrap();
        assert!(s.ended_at.is_none());
    }
}

#[tokio::test]
async fn ending_all_other_sessions() {
    for app in apps().await {
        let a = signed_in(&app, CHROME_WIN).await;
        let f = signed_in(&app, FIREFOX_LINUX).await;
        let s = signed_in(&app, SAFARI_IPHONE).await;
        let resp = post(&app, &a, "/cabinet/sessions/end-others", &[]).await;
        assert_eq!(location(&resp), "/cabinet/sessions?done=others");
        assert!(!in_cabinet(&app, &f).await, "[{}]", app.backend);
        assert!(!in_cabinet(&app, &s).await);
        let (_, html) = app.page(&a, "/cabinet/sessions?done=others").await;
        assert_eq!(html.matches("class=\"session\"").count(), 1);
        assert!(!html.contains("end-others"), "no others left to end");
    }
}

#[tokio::test]
async fn the_login_history_shows_logins_and_failures() {
    for app in apps().await {
        let f = browser_as(FIREFOX_LINUX);
        let resp = app.sign_in(&f, PHONE, "Wrong#Pass123").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let a = signed_in(&app, CHROME_WIN).await;
        let (_, html) = app.page(&a, "/cabinet/sessions").await;
        let history = &html[html.find("id=\"login-history\"").unwrap()..];
        let entries: Vec<&str> = history.split("<li ").skip(1).collect();
        assert_eq!(entries.len(), 2, "[{}] {history}", app.backend);
        // Newest first: the login, then the failure (flagged).
        assert!(entries[0].contains("Вход по паролю"), "{}", entries[0]);
        assert!(entries[0].contains("Chrome, Windows"));
        assert!(entries[0].contains("IP 127.0.0.1"));
        assert!(
            entries[1].starts_with("data-alarm=\"yes\""),
            "{}",
            entries[1]
        );
        assert!(entries[1].contains("Неудачная попытка входа"));
        assert!(entries[1].contains("Firefox, Linux"));
    }
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    for app in apps().await {
        let other = signed_in(&app, FIREFOX_LINUX).await;
        let a = signed_in(&app, CHROME_WIN).await;
        let (status, html) = app.page(&a, "/cabinet/password").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("name=\"current_password\"") && html.contains("data-rule=\"length\"")
        );
        let try_change = |current: &'static str, p1: &'static str, p2: &'static str| {
            let (a, html, app) = (&a, html.clone(), &app);
            async move {
                app.submit_to(
                    a,
                    &html,
                    "/cabinet/password",
                    &[
                        ("current_password", current),
                        ("password", p1),
                        ("password2", p2),
                    ],
                )
                .await
            }
        };
        let resp = try_change("Wrong#Pass123", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Текущий пароль введён неверно")
        );
        let resp = try_change(PASSWORD, NEW_PASSWORD, "Zq8!rTm4#wPy").await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let resp = try_change(PASSWORD, "password", "password").await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("заглавная латинская буква")
        );
        let resp = try_change(PASSWORD, PASSWORD, PASSWORD).await;
        assert!(resp.text().await.unwrap().contains("должен отличаться"));
        assert!(in_cabinet(&app, &other).await, "nothing changed yet");

        let resp = try_change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(
            location(&resp),
            "/cabinet/sessions?done=password",
            "[{}]",
            app.backend
        );
        assert!(in_cabinet(&app, &a).await, "this session stays");
        assert!(!in_cabinet(&app, &other).await, "every other one ends");
        let resp = app.sign_in(&browser(), PHONE, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            location(&app.sign_in(&browser(), PHONE, NEW_PASSWORD).await),
            "/cabinet"
        );
        let told = app.nth_message_to(PHONE, 1).await;
        assert!(told.text.contains("Пароль"), "{}", told.text);
        let events = app.store.audit_for_account("citizen-1", 50).await.unwrap();
        let changed = events
            .iter()
            .find(|e| e.kind == "password_changed")
            .unwrap();
        assert!(
            changed.detail.contains("\"sessions_ended\":1"),
            "{}",
            changed.detail
        );
        assert_eq!(changed.ip.as_deref(), Some("127.0.0.1"));
        assert!(events.iter().any(|e| e.kind == "password_change_failed"));
    }
}

#[tokio::test]
async fn wrong_current_passwords_lock_like_logins() {
    for app in apps().await {
        let a = signed_in(&app, CHROME_WIN).await;
        let (_, html) = app.page(&a, "/cabinet/password").await;
        let mut last = StatusCode::OK;
        for _ in 0..3 {
            let resp = app
                .submit_to(
                    &a,
                    &html,
                    "/cabinet/password",
                    &[
                        ("current_password", "Wrong#Pass123"),
                        ("password", NEW_PASSWORD),
                        ("password2", NEW_PASSWORD),
                    ],
                )
                .await;
            last = resp.status();
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "[{}]", app.backend);
        // The right one is refused now too, and so is a login elsewhere.
        let resp = app
            .submit_to(
                &a,
                &html,
                "/cabinet/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", NEW_PASSWORD),
                    ("password2", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let resp = app.sign_in(&browser(), PHONE, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "account_locked").count(), 1);
    }
}

#[tokio::test]
async fn changing_the_password_tells_the_portals_of_the_ended_sessions() {
    for app in apps().await {
        // The portal's back-channel endpoint: nothing listens, the row is enough here.
        let mut c = app.store.client("tax").await.unwrap().unwrap();
        c.settings.backchannel_logout_uri = Some("http://127.0.0.1:9/bcl".into());
        app.store.update_client(&c).await.unwrap();
        let portal_browser = browser();
        let code = app.code(&portal_browser, &[]).await;
        let (_, tokens) = app.exchange(&code).await;
        let sid = jwt_claims(tokens["id_token"].as_str().unwrap())["sid"]
            .as_str()
            .unwrap()
            .to_owned();
        let a = signed_in(&app, CHROME_WIN).await;
        let (_, html) = app.page(&a, "/cabinet/password").await;
        let resp = app
            .submit_to(
                &a,
                &html,
                "/cabinet/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", NEW_PASSWORD),
                    ("password2", NEW_PASSWORD),
                ],
            )
            .await;
        assert_eq!(location(&resp), "/cabinet/sessions?done=password");
        let rows = app.store.logout_deliveries_of("tax").await.unwrap();
        assert_eq!(rows.len(), 1, "[{}]", app.backend);
        assert_eq!(jwt_claims(&rows[0].logout_token)["sid"], sid.as_str());
    }
}

#[tokio::test]
async fn a_new_device_is_told_once() {
    for app in apps().await {
        let account = app.store.account("citizen-1").await.unwrap().unwrap();
        let newest = |app: &TestApp| {
            let store = app.store.clone();
            async move { store.all_sessions_of("citizen-1").await.unwrap()[0].clone() }
        };
        // The very first login has nothing to compare with.
        signed_in(&app, CHROME_WIN).await;
        let s = newest(&app).await;
        assert!(
            !notify_if_new_device(&app.state, &account, &s)
                .await
                .unwrap()
        );
        app.clock.advance(60);
        signed_in(&app, CHROME_WIN).await;
        let s = newest(&app).await;
        assert!(
            !notify_if_new_device(&app.state, &account, &s)
                .await
                .unwrap()
        );
        app.clock.advance(60);
        signed_in(&app, FIREFOX_LINUX).await;
        let s = newest(&app).await;
        assert!(
            notify_if_new_device(&app.state, &account, &s)
                .await
                .unwrap(),
            "[{}]",
            app.backend
        );
        let told = app.nth_message_to(PHONE, 1).await;
        assert!(told.text.contains("нового устройства"), "{}", told.text);
        assert!(told.text.contains("Firefox, Linux") && told.text.contains("127.0.0.1"));
        let events = app.store.audit_for_account("citizen-1", 50).await.unwrap();
        let e = events.iter().find(|e| e.kind == "new_device").unwrap();
        assert_eq!(e.ip.as_deref(), Some("127.0.0.1"));
        // The same browser on the same network is known now.
        app.clock.advance(60);
        signed_in(&app, FIREFOX_LINUX).await;
        let s = newest(&app).await;
        assert!(
            !notify_if_new_device(&app.state, &account, &s)
                .await
                .unwrap()
        );
        // The same browser from another network is new.
        let mut elsewhere = s.clone();
        elsewhere.id = "another".into();
        elsewhere.ip = Some("198.51.100.7".into());
        assert!(
            notify_if_new_device(&app.state, &account, &elsewhere)
                .await
                .unwrap()
        );
        assert_eq!(app.settled_count_to(PHONE).await, 2);
        // The history page shows it as a warning.
        let a = signed_in(&app, FIREFOX_LINUX).await;
        let (_, html) = app.page(&a, "/cabinet/sessions").await;
        assert!(html.contains("Вход с нового устройства"));
    }
}
