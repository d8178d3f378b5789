//! RP-initiated logout: redirect only to registered URIs and with a valid hint, ask the
//! citizen otherwise, never redirect on doubt.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

async fn logged_in(app: &TestApp) -> (reqwest::Client, String) {
    let b = browser();
    let code = app.code(&b, &[]).await;
    let (_, tokens) = app.exchange(&code).await;
    (b, tokens["id_token"].as_str().unwrap().to_owned())
}

async fn session_alive(app: &TestApp, b: &reqwest::Client) -> bool {
    let resp = b
        .get(app.authorize_url(&[("prompt", "none")]))
        .send()
        .await
        .unwrap();
    query_param(&location(&resp), "code").is_some()
}

#[tokio::test]
async fn a_valid_hint_logs_out_at_once_and_returns_with_state() {
    for app in apps().await {
        let (b, id_token) = logged_in(&app).await;
        assert!(session_alive(&app, &b).await);
        let resp = b
            .get(app.url("/logout"))
            .query(&[
                ("id_token_hint", id_token.as_str()),
                ("post_logout_redirect_uri", LOGOUT_REDIRECT),
                ("state", "s1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            location(&resp),
            format!("{LOGOUT_REDIRECT}?state=s1"),
            "[{}]",
            app.backend
        );
        assert!(!session_alive(&app, &b).await);
    }
}

#[tokio::test]
async fn without_a_hint_the_citizen_confirms() {
    for app in apps().await {
        let (b, _) = logged_in(&app).await;
        let resp = b
            .get(app.url("/logout"))
            .query(&[
                ("client_id", "tax"),
                ("post_logout_redirect_uri", LOGOUT_REDIRECT),
                ("state", "s2"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(
            session_alive(&app, &b).await,
            "nothing ends before the citizen confirms"
        );
        // A forged confirmation (no CSRF cookie match) is refused.
        let forged = browser()
            .post(app.url("/logout/confirm"))
            .form(&[("csrf", "x"), ("logout", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let resp = app.submit(&b, &html, &[("logout", "yes")]).await;
        assert_eq!(location(&resp), format!("{LOGOUT_REDIRECT}?state=s2"));
        assert!(!session_alive(&app, &b).await);
    }
}

#[tokio::test]
async fn doubtful_requests_never_redirect() {
    for app in apps().await {
        let (b, id_token) = logged_in(&app).await;
        let mut tampered = id_token.clone();
        tampered.insert(tampered.len() - 3, 'x');
        let cases: Vec<Vec<(&str, &str)>> = vec![
            // Not registered.
            vec![
                ("id_token_hint", &id_token),
                ("post_logout_redirect_uri", "https://evil.example/"),
            ],
            // Registered URI with something added.
            vec![
                ("id_token_hint", &id_token),
                (
                    "post_logout_redirect_uri",
                    "https://tax.example/logged-out?x=1",
                ),
            ],
            // A hint that does not verify.
            vec![
                ("id_token_hint", &tampered),
                ("post_logout_redirect_uri", LOGOUT_REDIRECT),
            ],
            // No client to check the URI against.
            vec![("post_logout_redirect_uri", LOGOUT_REDIRECT)],
            // client_id that is not the hint's audience.
            vec![
                ("id_token_hint", &id_token),
                ("client_id", "mobile"),
                ("post_logout_redirect_uri", LOGOUT_REDIRECT),
            ],
        ];
        for q in cases {
            let resp = b.get(app.url("/logout")).query(&q).send().await.unwrap();
            assert!(
                resp.headers().get("location").is_none(),
                "[{}] redirected for {q:?}",
                app.backend
            );
            assert_eq!(resp.status(), 400, "{q:?}");
        }
        assert!(session_alive(&app, &b).await, "none of them logged out");
        // Only state, no redirect URI: a confirmation page, not a redirect.
        let resp = b
            .get(app.url("/logout"))
            .query(&[("state", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.headers().get("location").is_none());
    }
}
