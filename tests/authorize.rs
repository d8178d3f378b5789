//! /authorize and the hosted pages: where errors go, prompt and max_age, login
//! failures that reveal nothing, consent, CSRF and browser binding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn unregistered_or_missing_redirect_uri_shows_a_page_and_never_redirects() {
    for app in apps().await {
        let b = browser();
        for bad in [
            app.authorize_url(&[("redirect_uri", "https://evil.example/cb")]),
            app.authorize_url(&[("redirect_uri", "https://tax.example/callback/extra")]),
            app.authorize_url(&[("redirect_uri", "")]),
            app.authorize_url(&[("client_id", "unknown-portal")]),
        ] {
            let resp = b.get(&bad).send().await.unwrap();
            assert_eq!(resp.status(), 400, "{bad}");
            assert!(resp.headers().get("location").is_none());
            let csp = resp.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        }
    }
}

#[tokio::test]
async fn errors_after_the_redirect_uri_is_trusted_go_back_with_state_and_iss() {
    for app in apps().await {
        let b = browser();
        let resp = b
            .get(app.authorize_url(&[("response_type", "token")]))
            .send()
            .await
            .unwrap();
        let to = location(&resp);
        assert!(to.starts_with(REDIRECT));
        assert_eq!(
            query_param(&to, "error").as_deref(),
            Some("unsupported_response_type")
        );
        assert_eq!(query_param(&to, "state").as_deref(), Some("st-1"));
        assert_eq!(query_param(&to, "iss").as_deref(), Some(app.base.as_str()));
        let resp = b
            .get(app.authorize_url(&[("code_challenge_method", "plain")]))
            .send()
            .await
            .unwrap();
        assert_eq!(
            query_param(&location(&resp), "error").as_deref(),
            Some("invalid_request")
        );
    }
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    for app in apps().await {
        let resp = browser()
            .get(app.authorize_url(&[("prompt", "none")]))
            .send()
            .await
            .unwrap();
        let to = location(&resp);
        assert!(to.starts_with(REDIRECT), "{to}");
        assert_eq!(query_param(&to, "error").as_deref(), Some("login_required"));
        assert_eq!(query_param(&to, "state").as_deref(), Some("st-1"));
    }
}

#[tokio::test]
async fn max_age_forces_a_new_login_and_auth_time_moves() {
    for app in apps().await {
        let b = browser();
        let code = app.code(&b, &[]).await;
        let (_, first) = app.exchange(&code).await;
        let first_auth = id_claims(&first)["auth_time"].as_i64().unwrap();

        app.clock.advance(120);
        // Within max_age: silent SSO.
        let hop = app
            .follow(
                &b,
                app.authorize_url(&[("max_age", "600"), ("prompt", "none")]),
            )
            .await;
        assert!(matches!(hop, Hop::Left(ref to) if query_param(to, "code").is_some()));
        // Older than max_age: the login page again, and a fresh auth_time after it.
        let Hop::Page { html, .. } = app
            .follow(&b, app.authorize_url(&[("max_age", "60")]))
            .await
        else {
            panic!("max_age=60 must ask for the password again");
        };
        assert!(html.contains("name=\"password\""));
        let code = app.code(&b, &[("max_age", "60")]).await;
        let (_, second) = app.exchange(&code).await;
        let second_auth = id_claims(&second)["auth_time"].as_i64().unwrap();
        assert_eq!(second_auth - first_auth, 120, "[{}]", app.backend);
        // prompt=none with an old session and a small max_age: login_required.
        app.clock.advance(120);
        let resp = b
            .get(app.authorize_url(&[("max_age", "60"), ("prompt", "none")]))
            .send()
            .await
            .unwrap();
        assert_eq!(
            query_param(&location(&resp), "error").as_deref(),
            Some("login_required")
        );
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    for app in apps().await {
        let b = browser();
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let wrong = app
            .submit(
                &b,
                &html,
                &[("login", "+79123456789"), ("password", "Wrong!Passw0rd")],
            )
            .await;
        let wrong_status = wrong.status();
        let wrong_html = wrong.text().await.unwrap();
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let unknown = app
            .submit(
                &b,
                &html,
                &[
                    ("login", "nobody@example.ru"),
                    ("password", "Wrong!Passw0rd"),
                ],
            )
            .await;
        assert_eq!(unknown.status(), wrong_status);
        assert_eq!(wrong_status, 401);
        let unknown_html = unknown.text().await.unwrap();
        let msg = |h: &str| {
            h[h.find("role=\"alert\"").expect("an error box")..]
                .split('<')
                .nth(1)
                .unwrap()
                .to_owned()
        };
        assert_eq!(msg(&wrong_html), msg(&unknown_html));
        // A malformed identifier names the field instead.
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let bad = app
            .submit(&b, &html, &[("login", "12345"), ("password", "x")])
            .await;
        assert_eq!(bad.status(), 400);
    }
}

#[tokio::test]
async fn login_by_email_phone_and_snils_in_any_format() {
    for app in apps().await {
        for login in ["IVANOV@Example.RU", "8 (912) 345 67 89", "11223344595"] {
            let b = browser();
            let back = app
                .login_and_consent(&b, app.authorize_url(&[]), login)
                .await;
            assert!(
                query_param(&back, "code").is_some(),
                "[{}] {login}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn consent_can_be_denied_and_is_remembered_when_given() {
    for app in apps().await {
        let b = browser();
        let Hop::Page { html, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let resp = app
            .submit(
                &b,
                &html,
                &[("login", "+79123456789"), ("password", PASSWORD)],
            )
            .await;
        let Hop::Page { html, .. } = app.follow(&b, location(&resp)).await else {
            panic!("consent page")
        };
        assert!(html.contains("ФНС"), "the consent page names the portal");
        let resp = app.submit(&b, &html, &[("decision", "deny")]).await;
        let to = location(&resp);
        assert_eq!(query_param(&to, "error").as_deref(), Some("access_denied"));
        // prompt=none now: consent_required (denied consent is not remembered).
        let resp = b
            .get(app.authorize_url(&[("prompt", "none")]))
            .send()
            .await
            .unwrap();
        assert_eq!(
            query_param(&location(&resp), "error").as_deref(),
            Some("consent_required")
        );
    }
}

#[tokio::test]
async fn forms_need_the_csrf_token_and_the_same_browser() {
    for app in apps().await {
        let b = browser();
        let Hop::Page { html, url, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let action = form_action(&html);
        let no_csrf = b
            .post(app.url(&action))
            .form(&[
                ("login", "+79123456789"),
                ("password", PASSWORD),
                ("csrf", "forged"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(no_csrf.status(), 403);
        // Another browser cannot pick up this interaction, even with the token.
        let other = browser();
        let stolen = app
            .submit(
                &other,
                &html,
                &[("login", "+79123456789"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(stolen.status(), 400);
        let page = other.get(app.url(&url)).send().await.unwrap();
        assert_eq!(page.status(), 400);
    }
}

#[tokio::test]
async fn public_clients_must_send_pkce() {
    for app in apps().await {
        let b = browser();
        let url = format!(
            "{}?client_id=mobile&redirect_uri={}&response_type=code&scope=openid&state=s",
            app.url("/authorize"),
            "http%3A%2F%2F127.0.0.1%3A7777%2Fcb"
        );
        let resp = b.get(&url).send().await.unwrap();
        assert_eq!(
            query_param(&location(&resp), "error").as_deref(),
            Some("invalid_request")
        );
    }
}

#[tokio::test]
async fn english_pages_on_request() {
    for app in apps().await {
        let b = browser();
        let Hop::Page { html, .. } = app
            .follow(&b, app.authorize_url(&[("ui_locales", "en-GB en")]))
            .await
        else {
            panic!()
        };
        assert!(html.contains("lang=\"en\""));
        let Hop::Page { html, .. } = app.follow(&browser(), app.authorize_url(&[])).await else {
            panic!()
        };
        assert!(html.contains("lang=\"ru\""));
    }
}

/// The ID token's payload, decoded without verification (signature is checked in
/// oidc_flow.rs with an independent library).
pub fn id_claims(token_response: &serde_json::Value) -> serde_json::Value {
    use base64::Engine as _;
    let jwt = token_response["id_token"].as_str().unwrap();
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}
