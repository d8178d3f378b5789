//! Access recovery and contact changes: a code to the confirmed contact, a document for
//! confirmed accounts, a new password that ends every other session, no way to learn
//! whether an account exists; a new contact confirmed by a code, the old one told.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::clock::Clock as _;
use reqwest::StatusCode;

const PHONE: &str = "+79123456789";
const NEW_PASSWORD: &str = "Nw5!kZr8#pLq";

/// Ask for recovery; returns the code page's path and its HTML.
async fn ask(app: &TestApp, b: &reqwest::Client, login: &str, document: &str) -> (String, String) {
    let (_, html) = app.page(b, "/recover").await;
    let resp = app
        .submit(b, &html, &[("login", login), ("document", document)])
        .await;
    let page = location(&resp);
    assert!(page.starts_with("/recover/"), "{page}");
    let (status, html) = app.page(b, &page).await;
    assert_eq!(status, StatusCode::OK);
    (page, html)
}

/// The page with the flow id taken out, to compare two pages.
fn without_ids(html: &str, page: &str) -> String {
    let id = page.trim_start_matches("/recover/");
    let csrf = input_value(html, "csrf").unwrap_or_default();
    html.replace(id, "ID").replace(&csrf, "CSRF")
}

#[tokio::test]
async fn a_citizen_recovers_by_snils_and_every_other_session_ends() {
    for app in apps().await {
        // A session elsewhere (another device).
        let elsewhere = browser();
        app.sign_in(&elsewhere, PHONE, PASSWORD).await;
        assert_eq!(app.page(&elsewhere, "/cabinet").await.0, StatusCode::OK);

        let b = browser();
        let (page, html) = ask(&app, &b, "112-233-445 95", "").await;
        assert!(
            !html.contains("***"),
            "the page never shows where the code went"
        );
        let code = digits_in(&app.nth_message_to(PHONE, 1).await.text, 6);
        let resp = app.submit(&b, &html, &[("code", &code)]).await;
        assert_eq!(location(&resp), format!("{page}/password"));
        let (_, html) = app.page(&b, &format!("{page}/password")).await;
        let resp = app
            .submit(
                &b,
                &html,
                &[("password", NEW_PASSWORD), ("password2", NEW_PASSWORD)],
            )
            .await;
        assert_eq!(location(&resp), "/cabinet?done=password");
        assert_eq!(
            app.page(&b, "/cabinet").await.0,
            StatusCode::OK,
            "{}",
            app.backend
        );

        // The other device is logged out; the old password no longer works.
        let (status, _) = app.page(&elsewhere, "/cabinet").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let resp = app.sign_in(&browser(), PHONE, PASSWORD).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            location(&app.sign_in(&browser(), PHONE, NEW_PASSWORD).await),
            "/cabinet"
        );
        let told = app.nth_message_to(PHONE, 2).await;
        assert!(told.text.contains("Пароль"), "{}", told.text);
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "password_reset"));
    }
}

#[tokio::test]
async fn an_unknown_login_looks_exactly_like_a_known_one() {
    for app in apps().await {
        let b = browser();
        let (known_page, known) = ask(&app, &b, PHONE, "").await;
        let b2 = browser();
        let (unknown_page, unknown) = ask(&app, &b2, "+7 999 111-22-33", "").await;
        assert_eq!(
            without_ids(&known, &known_page),
            without_ids(&unknown, &unknown_page)
        );
        assert_eq!(
            app.settled_count_to("+79991112233").await,
            0,
            "nothing sent to a stranger"
        );
        // No code is ever right for the unknown flow.
        for guess in ["000000", "123456"] {
            let resp = app.submit(&b2, &unknown, &[("code", guess)]).await;
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        }
        let (status, _) = app.page(&b2, &format!("{unknown_page}/password")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A malformed login is a named field error.
        let (_, html) = app.page(&b, "/recover").await;
        let resp = app.submit(&b, &html, &[("login", "nonsense")]).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Введите телефон, email или СНИЛС")
        );
    }
}

#[tokio::test]
async fn a_confirmed_account_also_needs_a_document() {
    for app in apps().await {
        app.make_standard().await;
        let confirmed = app
            .store
            .confirm_identity(&propusk::store::levels::Confirmation {
                account_id: "citizen-1",
                method: "operator",
                actor: "operator:test",
                document: Some("passport 4510 123456"),
                at: app.clock.now(),
            })
            .await
            .unwrap();
        assert!(confirmed);
        let before = app.settled_count_to(PHONE).await;
        // Without the document (or with a wrong one) nothing is sent.
        ask(&app, &browser(), PHONE, "").await;
        ask(&app, &browser(), PHONE, "4510 000000").await;
        assert_eq!(app.settled_count_to(PHONE).await, before);
        // With the passport number (any spacing) the code goes out.
        ask(&app, &browser(), PHONE, "45 10 123456").await;
        app.nth_message_to(PHONE, before + 1).await;
        // INN works too.
        ask(&app, &browser(), PHONE, "500100732259").await;
        app.nth_message_to(PHONE, before + 2).await;
    }
}

#[tokio::test]
async fn a_new_contact_is_confirmed_by_a_code_and_the_old_one_is_told() {
    for app in apps().await {
        let b = browser();
        app.sign_in(&b, PHONE, PASSWORD).await;
        let (_, html) = app.page(&b, "/cabinet").await;
        let resp = app
            .submit_to(
                &b,
                &html,
                "/cabinet/contact",
                &[("contact", "not a contact")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let resp = app
            .submit_to(
                &b,
                &html,
                "/cabinet/contact",
                &[("contact", "Ivan.New@Example.ru")],
            )
            .await;
        let page = location(&resp);
        assert!(page.starts_with("/cabinet/contact/"), "{page}");
        let mail = app.nth_message_to("ivan.new@example.ru", 1).await;
        let code = digits_in(&mail.text, 6);
        let (_, html) = app.page(&b, &page).await;
        let resp = app.submit(&b, &html, &[("code", &code)]).await;
        assert_eq!(location(&resp), "/cabinet?done=contact");
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.email.as_deref(), Some("ivan.new@example.ru"));
        assert!(a.email_verified);
        let told = app.nth_message_to("ivanov@example.ru", 1).await;
        assert!(told.text.contains("заменён"), "{}", told.text);

        // Another account's phone: refused after the code, nothing changed.
        let mut other = citizen(app.clock.now()).await;
        other.id = "citizen-2".into();
        other.phone = Some("+79990000000".into());
        other.email = None;
        other.snils = None;
        app.store.insert_account(&other).await.unwrap();
        let (_, html) = app.page(&b, "/cabinet").await;
        let resp = app
            .submit_to(
                &b,
                &html,
                "/cabinet/contact",
                &[("contact", "+7 999 000 00 00")],
            )
            .await;
        let page = location(&resp);
        let code = digits_in(&app.nth_message_to("+79990000000", 1).await.text, 6);
        let (_, html) = app.page(&b, &page).await;
        let resp = app.submit(&b, &html, &[("code", &code)]).await;
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.phone.as_deref(), Some(PHONE));

        // Someone else's browser cannot use the flow.
        let (status, _) = app.page(&browser(), &page).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
