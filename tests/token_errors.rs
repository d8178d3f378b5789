//! The token endpoint's refusals: each must fail with the right OAuth error, and a
//! replayed code must take down what it issued.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[tokio::test]
async fn code_reuse_is_invalid_grant_and_revokes_the_tokens() {
    for app in apps().await {
        let b = browser();
        let code = app.code(&b, &[]).await;
        let (status, first) = app.exchange(&code).await;
        assert_eq!(status, 200, "[{}] {first}", app.backend);
        assert_eq!(first["token_type"], "Bearer");
        let access = first["access_token"].as_str().unwrap().to_owned();
        let ok = reqwest::Client::new()
            .get(app.url("/userinfo"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);

        let (status, again) = app.exchange(&code).await;
        assert_eq!(
            (status, again["error"].as_str()),
            (400, Some("invalid_grant")),
            "[{}]",
            app.backend
        );
        let revoked = reqwest::Client::new()
            .get(app.url("/userinfo"))
            .bearer_auth(&access)
            .send()
            .await
            .unwrap();
        assert_eq!(
            revoked.status(),
            401,
            "[{}] the first exchange's token is revoked",
            app.backend
        );
        let challenge = revoked.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.contains("invalid_token"), "{challenge}");
    }
}

#[tokio::test]
async fn wrong_pkce_verifier_and_wrong_redirect_uri_are_invalid_grant() {
    for app in apps().await {
        let b = browser();
        let code = app.code(&b, &[]).await;
        let (status, body) = app
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                (
                    "code_verifier",
                    "wrong-verifier-wrong-verifier-wrong-verifier-00",
                ),
            ])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "[{}]",
            app.backend
        );

        let code = app.code(&b, &[]).await;
        let (status, body) = app
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "https://tax.example/other"),
                ("code_verifier", VERIFIER),
            ])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "[{}]",
            app.backend
        );

        let code = app.code(&b, &[]).await;
        let (status, body) = app
            .token(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "missing verifier"
        );
    }
}

#[tokio::test]
async fn expired_codes_are_refused() {
    for app in apps().await {
        let b = browser();
        let code = app.code(&b, &[]).await;
        app.clock.advance(61);
        let (status, body) = app.exchange(&code).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_bad_client_secret_is_401_invalid_client() {
    for app in apps().await {
        let resp = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("tax", Some("not-the-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        assert!(
            resp.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client");

        let unknown = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("nobody", Some("x"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 401);
    }
}

#[tokio::test]
async fn client_credentials_gives_an_access_token_for_the_portal_itself() {
    for app in apps().await {
        let (status, body) = app
            .token(&[("grant_type", "client_credentials"), ("scope", "api.read")])
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("id_token").is_none());
        assert!(body.get("refresh_token").is_none());
        let (status, body) = app
            .token(&[("grant_type", "client_credentials"), ("scope", "openid")])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        // Introspection sees it as active, with the portal as subject.
        let (_, issued) = app
            .token(&[("grant_type", "client_credentials"), ("scope", "api.read")])
            .await;
        let resp: serde_json::Value = reqwest::Client::new()
            .post(app.url("/introspect"))
            .basic_auth("tax", Some(&app.secret))
            .form(&[("token", issued["access_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(resp["active"], true);
        assert_eq!(resp["sub"], "tax");
        assert_eq!(resp["scope"], "api.read");
    }
}

#[tokio::test]
async fn malformed_token_requests_get_oauth_errors_not_framework_ones() {
    for app in apps().await {
        let c = reqwest::Client::new();
        let resp = c
            .post(app.url("/token"))
            .basic_auth("tax", Some(&app.secret))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
        let (status, body) = app.token(&[("grant_type", "password")]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unsupported_grant_type"))
        );
        let resp = c
            .post(app.url("/token"))
            .basic_auth("tax", Some(&app.secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "repeated parameters are refused");
    }
}
