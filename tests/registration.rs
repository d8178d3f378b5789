//! Registration through the hosted pages: a code to the phone (or a link by e-mail),
//! a password under the ESIA policy, a simplified account logged in; and every bad
//! path: wrong, expired and exhausted codes, resend cool-down, a taken contact, weak
//! passwords, bad names and contacts, forged forms.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use reqwest::StatusCode;

const NEW_PHONE: &str = "+79161234567";
const STRONG: &str = "Vx8#tR2!mQz";

/// Fill the first registration step; returns the code page's URL.
async fn start(app: &TestApp, b: &reqwest::Client, contact: &str) -> String {
    let (_, html) = app.page(b, "/register").await;
    let resp = app
        .submit(
            b,
            &html,
            &[
                ("family_name", "Петрова"),
                ("given_name", "Анна"),
                ("middle_name", "Сергеевна"),
                ("contact", contact),
            ],
        )
        .await;
    let to = location(&resp);
    assert!(to.starts_with("/register/"), "{to}");
    to
}

async fn enter_code(
    app: &TestApp,
    b: &reqwest::Client,
    page: &str,
    code: &str,
) -> reqwest::Response {
    let (_, html) = app.page(b, page).await;
    app.submit(b, &html, &[("code", code)]).await
}

#[tokio::test]
async fn a_citizen_registers_by_phone_and_lands_in_the_cabinet() {
    for app in apps().await {
        let b = browser();
        let page = start(&app, &b, "8 (916) 123-45-67").await;
        let (status, html) = app.page(&b, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("+7 916 ***-**-67"),
            "masked phone on the page: {html}"
        );
        let sms = app.nth_message_to(NEW_PHONE, 1).await;
        assert_eq!(sms.channel, "sms");
        let code = digits_in(&sms.text, 6);

        // A wrong code is refused and counted.
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let resp = enter_code(&app, &b, &page, wrong).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{}", app.backend);
        assert!(resp.text().await.unwrap().contains("Неверный код"));

        let resp = enter_code(&app, &b, &page, &code).await;
        let pw_page = location(&resp);
        assert_eq!(pw_page, format!("{page}/password"));
        let (_, html) = app.page(&b, &pw_page).await;
        assert!(
            html.contains("data-rule=\"special\""),
            "policy checklist shown"
        );
        assert!(html.contains("/assets/password.js"));

        // Weak, mismatched and personal passwords are refused with the rule named.
        let resp = app
            .submit(
                &b,
                &html,
                &[("password", "qwerty12"), ("password2", "qwerty12")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = resp.text().await.unwrap();
        assert!(body.contains("заглавная латинская буква"), "{body}");
        let resp = app
            .submit(&b, &html, &[("password", STRONG), ("password2", "other")])
            .await;
        assert!(resp.text().await.unwrap().contains("Пароли не совпадают"));
        let resp = app
            .submit(
                &b,
                &html,
                &[("password", "Ab#x1234567z"), ("password2", "Ab#x1234567z")],
            )
            .await;
        assert!(resp.text().await.unwrap().contains("без личных данных"));

        let resp = app
            .submit(&b, &html, &[("password", STRONG), ("password2", STRONG)])
            .await;
        assert_eq!(location(&resp), "/cabinet?done=registered");
        let (status, cabinet) = app.page(&b, "/cabinet?done=registered").await;
        assert_eq!(status, StatusCode::OK);
        assert!(cabinet.contains("Петрова Анна Сергеевна"));
        assert!(cabinet.contains("data-level=\"simplified\""));
        assert!(cabinet.contains("Учётная запись создана"));

        let account = app
            .store
            .account_by_login(&propusk::store::LoginKey::Phone(NEW_PHONE.into()))
            .await
            .unwrap()
            .expect("account created");
        assert!(account.phone_verified);
        assert_eq!(account.trust_level, "simplified");
        let events = app.store.audit_for_account(&account.id, 10).await.unwrap();
        assert!(events.iter().any(|e| e.kind == "account_registered"));

        // The flow is single-use: the password page is gone now.
        let (status, _) = app.page(&b, &pw_page).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // And the new password logs in on a fresh browser.
        let other = browser();
        let resp = app.sign_in(&other, "+7 916 123 45 67", STRONG).await;
        assert_eq!(location(&resp), "/cabinet");
    }
}

#[tokio::test]
async fn an_email_registration_follows_the_link_in_the_message() {
    for app in apps().await {
        let b = browser();
        let page = start(&app, &b, "Anna.Petrova@Example.RU").await;
        let mail = app.nth_message_to("anna.petrova@example.ru", 1).await;
        assert_eq!(mail.channel, "email");
        let link = mail
            .text
            .lines()
            .find_map(|l| l.split_whitespace().find(|w| w.starts_with("http")))
            .expect("a link in the e-mail")
            .to_owned();
        assert!(link.starts_with(&app.url(&page)), "{link}");
        let (status, html) = app.page(&b, &link).await;
        assert_eq!(status, StatusCode::OK);
        let code = query_param(&link, "code").unwrap();
        assert_eq!(
            input_value(&html, "code").as_deref(),
            Some(code.as_str()),
            "prefilled"
        );
        let resp = app.submit(&b, &html, &[("code", code.as_str())]).await;
        assert_eq!(location(&resp), format!("{page}/password"));
    }
}

#[tokio::test]
async fn a_taken_contact_is_refused_only_after_the_code_and_without_naming_the_owner() {
    for app in apps().await {
        let b = browser();
        // The seeded citizen's phone.
        let page = start(&app, &b, "+7 912 345-67-89").await;
        let code = digits_in(&app.nth_message_to("+79123456789", 1).await.text, 6);
        let resp = enter_code(&app, &b, &page, &code).await;
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let body = resp.text().await.unwrap();
        assert!(body.contains("уже привязан к учётной записи"), "{body}");
        assert!(!body.contains("Иванов"), "never whose account it is");
        // Nothing was created, and the flow is over.
        assert_eq!(app.store.list_accounts().await.unwrap().len(), 1);
        let (status, _) = app.page(&b, &format!("{page}/password")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn codes_expire_run_out_of_tries_and_resend_only_after_the_cool_down() {
    for app in apps().await {
        let b = browser();
        let page = start(&app, &b, NEW_PHONE).await;
        let first = digits_in(&app.nth_message_to(NEW_PHONE, 1).await.text, 6);
        let wrong = if first == "000000" {
            "111111"
        } else {
            "000000"
        };

        // Resend at once: refused (cool-down), nothing sent.
        let (_, html) = app.page(&b, &page).await;
        let resp = app
            .submit_to(&b, &html, &format!("{page}/resend"), &[])
            .await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(app.settled_count_to(NEW_PHONE).await, 1);

        // Three wrong tries exhaust the code: even the right one is refused then.
        for _ in 0..3 {
            enter_code(&app, &b, &page, wrong).await;
        }
        let resp = enter_code(&app, &b, &page, &first).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Слишком много неверных попыток")
        );

        // After the cool-down a new code goes out; the old one is void.
        app.clock.advance(61);
        let (_, html) = app.page(&b, &page).await;
        let resp = app
            .submit_to(&b, &html, &format!("{page}/resend"), &[])
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let second = digits_in(&app.nth_message_to(NEW_PHONE, 2).await.text, 6);
        if second != first {
            let resp = enter_code(&app, &b, &page, &first).await;
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        }

        // A code outlives its ttl (5 minutes) for nobody.
        app.clock.advance(301);
        let resp = enter_code(&app, &b, &page, &second).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Срок действия кода истёк")
        );
    }
}

#[tokio::test]
async fn bad_input_is_named_and_forged_or_foreign_posts_are_refused() {
    for app in apps().await {
        let b = browser();
        let (_, html) = app.page(&b, "/register").await;
        let resp = app
            .submit(
                &b,
                &html,
                &[
                    ("family_name", ""),
                    ("given_name", "Анна"),
                    ("contact", "12345"),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = resp.text().await.unwrap();
        assert!(body.contains("Фамилия:"), "{body}");
        assert!(body.contains("Телефон или email:"), "{body}");
        assert!(body.contains("value=\"Анна\""), "typed values are kept");
        assert!(app.sent().is_empty(), "nothing sent for a bad form");

        // No CSRF token: refused.
        let resp = b
            .post(app.url("/register"))
            .form(&[
                ("family_name", "Петрова"),
                ("given_name", "Анна"),
                ("contact", NEW_PHONE),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);

        // Another browser cannot continue this browser's flow.
        let page = start(&app, &b, NEW_PHONE).await;
        let code = digits_in(&app.nth_message_to(NEW_PHONE, 1).await.text, 6);
        let thief = browser();
        let (status, _) = app.page(&thief, &page).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (_, html) = app.page(&thief, "/register").await;
        let token = input_value(&html, "csrf").unwrap();
        let resp = thief
            .post(app.url(&page))
            .form(&[("csrf", token.as_str()), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn registration_started_from_a_portal_returns_to_the_portal() {
    for app in apps().await {
        let b = browser();
        let Hop::Page { html, url, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!("login page expected")
        };
        let uid = url.trim_start_matches("/interaction/").to_owned();
        assert!(html.contains(&format!("/register?interaction={uid}")));
        let (_, html) = app.page(&b, &format!("/register?interaction={uid}")).await;
        let resp = app
            .submit(
                &b,
                &html,
                &[
                    ("family_name", "Петрова"),
                    ("given_name", "Анна"),
                    ("contact", NEW_PHONE),
                ],
            )
            .await;
        let page = location(&resp);
        let code = digits_in(&app.nth_message_to(NEW_PHONE, 1).await.text, 6);
        let resp = enter_code(&app, &b, &page, &code).await;
        let (_, html) = app.page(&b, &location(&resp)).await;
        let resp = app
            .submit(&b, &html, &[("password", STRONG), ("password2", STRONG)])
            .await;
        assert_eq!(location(&resp), format!("/authorize/{uid}"));
        // Consent, then the portal gets its code.
        let back = app.login_and_consent(&b, location(&resp), NEW_PHONE).await;
        assert!(back.starts_with(REDIRECT), "{back}");
        assert!(query_param(&back, "code").is_some());
    }
}
