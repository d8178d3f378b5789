//! A portal's own access tokens (client credentials) are self-contained: issuing one
//! writes nothing, yet it can be revoked (RFC 7009) and dies with its portal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestApp, apps, confidential_client};
use propusk::clock::Clock as _;
use propusk::secret::Secret;
use serde_json::Value;

async fn portal_token(app: &TestApp) -> String {
    let (status, body) = app
        .token(&[("grant_type", "client_credentials"), ("scope", "api.read")])
        .await;
    assert_eq!(status, 200, "[{}] {body}", app.backend);
    body["access_token"].as_str().unwrap().to_owned()
}

async fn introspect(app: &TestApp, secret: &str, token: &str) -> Value {
    reqwest::Client::new()
        .post(app.url("/introspect"))
        .basic_auth("tax", Some(secret))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_portal_token_writes_nothing_and_is_revoked_on_the_list() {
    for app in apps().await {
        let token = portal_token(&app).await;
        let claims = common::jwt_claims(&token);
        assert_eq!(claims["gty"], "client_credentials", "[{}]", app.backend);
        assert!(
            app.store
                .access_token(claims["jti"].as_str().unwrap())
                .await
                .unwrap()
                .is_none(),
            "[{}] no row is written for a portal's own token",
            app.backend
        );
        let live = introspect(&app, &app.secret, &token).await;
        assert_eq!(live["active"], true, "[{}] {live}", app.backend);
        assert_eq!(live["client_id"], "tax");

        // Another portal may not revoke it.
        let other = Secret::generate();
        let mut pension = confidential_client(&other, app.clock.now());
        pension.id = "pension".into();
        app.store.insert_client(&pension).await.unwrap();
        let refused = reqwest::Client::new()
            .post(app.url("/revoke"))
            .basic_auth("pension", Some(other.expose()))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400, "[{}]", app.backend);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized_client");
        assert_eq!(introspect(&app, &app.secret, &token).await["active"], true);

        // Its portal may, twice: the second answer is the same 200.
        for _ in 0..2 {
            let resp = reqwest::Client::new()
                .post(app.url("/revoke"))
                .basic_auth("tax", Some(&app.secret))
                .form(&[("token", token.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "[{}]", app.backend);
        }
        assert_eq!(
            introspect(&app, &app.secret, &token).await,
            serde_json::json!({"active": false}),
            "[{}]",
            app.backend
        );
        // Another token of the same portal is untouched.
        let fresh = portal_token(&app).await;
        assert_eq!(introspect(&app, &app.secret, &fresh).await["active"], true);
    }
}

#[tokio::test]
async fn a_portal_token_dies_with_its_portal() {
    for app in apps().await {
        let token = portal_token(&app).await;
        // Disabled: inactive at once.
        let mut tax = app.store.client("tax").await.unwrap().unwrap();
        tax.settings.enabled = false;
        app.store.update_client(&tax).await.unwrap();
        let pension = Secret::generate();
        let mut other = confidential_client(&pension, app.clock.now());
        other.id = "pension".into();
        app.store.insert_client(&other).await.unwrap();
        let asks = |t: String| {
            let url = app.url("/introspect");
            let secret = pension.expose().to_owned();
            async move {
                let v: Value = reqwest::Client::new()
                    .post(url)
                    .basic_auth("pension", Some(secret))
                    .form(&[("token", t)])
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                v["active"].clone()
            }
        };
        assert_eq!(
            asks(token.clone()).await,
            false,
            "[{}] disabled",
            app.backend
        );
        tax.settings.enabled = true;
        app.store.update_client(&tax).await.unwrap();
        assert_eq!(
            asks(token.clone()).await,
            true,
            "[{}] enabled again",
            app.backend
        );

        // Removed and registered again under the same id: the old token stays dead.
        assert!(app.store.remove_client("tax").await.unwrap());
        app.clock.advance(1);
        let secret = Secret::generate();
        app.store
            .insert_client(&confidential_client(&secret, app.clock.now()))
            .await
            .unwrap();
        assert_eq!(asks(token).await, false, "[{}] re-registered", app.backend);
    }
}
