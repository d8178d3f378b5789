//! OpenID Connect Back-Channel Logout: when a session ends (logout at the portal,
//! sign-out in the cabinet, a session ended on the sessions page, a password change),
//! every portal that got tokens in it and registered a back-channel URI is POSTed a
//! logout token that verifies with the published JWKS; failures are retried with
//! back-off and given up after the configured number of tries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use propusk::clock::Clock as _;
use propusk::http::backchannel::{EVENT, deliver_due};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// A portal's back-channel logout endpoint that records what it receives and answers
/// with the queued statuses (then 200).
#[derive(Clone, Default)]
struct Portal {
    received: Arc<Mutex<Vec<String>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Portal {
    async fn start() -> (String, Portal) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (format!("http://{addr}/bcl"), Portal::serve(listener))
    }

    async fn start_on(addr: std::net::SocketAddr) -> Portal {
        Portal::serve(tokio::net::TcpListener::bind(addr).await.unwrap())
    }

    fn serve(listener: tokio::net::TcpListener) -> Portal {
        let p = Portal::default();
        let app = axum::Router::new()
            .route("/bcl", axum::routing::post(receive))
            .with_state(p.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        p
    }

    fn answer(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(p): State<Portal>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> StatusCode {
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    p.received
        .lock()
        .unwrap()
        .push(form.get("logout_token").cloned().unwrap_or_default());
    let status = p.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// Register `uri` as the confidential portal's back-channel logout URI.
async fn set_uri(app: &TestApp, client: &str, uri: &str) {
    let mut c = app.store.client(client).await.unwrap().unwrap();
    c.settings.backchannel_logout_uri = Some(uri.to_owned());
    assert!(app.store.update_client(&c).await.unwrap());
}

/// Log in at the portal; returns the browser and the ID token.
async fn portal_login(app: &TestApp) -> (reqwest::Client, String) {
    let b = browser();
    let code = app.code(&b, &[]).await;
    let (status, tokens) = app.exchange(&code).await;
    assert_eq!(status, 200);
    (b, tokens["id_token"].as_str().unwrap().to_owned())
}

async fn logout_at_portal(app: &TestApp, b: &reqwest::Client, id_token: &str) {
    let resp = b
        .get(app.url("/logout"))
        .query(&[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", LOGOUT_REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&resp), LOGOUT_REDIRECT);
}

/// Verify a logout token as a portal would: signature with the published JWKS, `typ`,
/// issuer, audience, times, the event, and no nonce.
async fn verified(app: &TestApp, token: &str) -> serde_json::Value {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let header = decode_header(token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    assert_eq!(
        header.alg,
        Algorithm::RS256,
        "the portal's ID token algorithm"
    );
    let jwks: JwkSet = reqwest::get(app.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&["tax"]);
    v.set_issuer(&[&app.base]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = decode::<serde_json::Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &v)
        .unwrap()
        .claims;
    assert_eq!(claims["events"][EVENT], serde_json::json!({}));
    assert!(claims.get("nonce").is_none(), "a logout token has no nonce");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
    claims
}

#[tokio::test]
async fn logout_at_the_portal_is_delivered_after_a_retry() {
    for app in apps().await {
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let (b, id_token) = portal_login(&app).await;
        let sid = jwt_claims(&id_token)["sid"].as_str().unwrap().to_owned();
        portal.answer(&[500]);
        logout_at_portal(&app, &b, &id_token).await;

        // First try: the portal answers 500; the delivery waits for its retry.
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let rows = app.store.logout_deliveries_of("tax").await.unwrap();
        assert_eq!(rows.len(), 1, "[{}]", app.backend);
        assert_eq!(rows[0].attempts, 1);
        assert!(rows[0].delivered_at.is_none() && rows[0].failed_at.is_none());
        assert_eq!(rows[0].next_attempt_at, app.clock.now() + 10);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "not due yet");

        app.clock.advance(10);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let rows = app.store.logout_deliveries_of("tax").await.unwrap();
        assert_eq!(rows[0].delivered_at, Some(app.clock.now()));
        assert_eq!(rows[0].attempts, 2);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "delivered once");

        let got = portal.received();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], got[1], "the same token while it is fresh");
        let claims = verified(&app, &got[1]).await;
        assert_eq!(claims["sub"], "citizen-1");
        assert_eq!(claims["sid"], sid.as_str(), "the sid of the ID token");
    }
}

#[tokio::test]
async fn discovery_advertises_back_channel_logout() {
    for app in apps().await {
        let d: serde_json::Value = reqwest::get(app.url("/.well-known/openid-configuration"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["backchannel_logout_supported"], true);
        assert_eq!(d["backchannel_logout_session_supported"], true);
    }
}

#[tokio::test]
async fn signing_out_in_the_cabinet_tells_the_portal() {
    for app in apps().await {
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let (b, id_token) = portal_login(&app).await;
        let sid = jwt_claims(&id_token)["sid"].as_str().unwrap().to_owned();
        let (_, html) = app.page(&b, "/cabinet").await;
        let resp = app.submit_to(&b, &html, "/signout", &[]).await;
        assert_eq!(location(&resp), "/signin");
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let got = portal.received();
        assert_eq!(got.len(), 1, "[{}]", app.backend);
        assert_eq!(verified(&app, &got[0]).await["sid"], sid.as_str());
    }
}

#[tokio::test]
async fn portals_without_a_uri_and_sessions_without_tokens_get_nothing() {
    for app in apps().await {
        // The portal registered no back-channel URI.
        let (b, id_token) = portal_login(&app).await;
        logout_at_portal(&app, &b, &id_token).await;
        assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
        // A session that never gave the portal anything.
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let b = browser();
        assert_eq!(
            location(&app.sign_in(&b, "+79123456789", PASSWORD).await),
            "/cabinet"
        );
        let (_, html) = app.page(&b, "/cabinet").await;
        app.submit_to(&b, &html, "/signout", &[]).await;
        assert_eq!(deliver_due(&app.state).await.unwrap(), 0);
        assert!(portal.received().is_empty());
        assert!(
            app.store
                .logout_deliveries_of("tax")
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_portal_that_keeps_failing_is_given_up() {
    for app in apps_with(|c| {
        c.backchannel_logout.max_attempts = 3;
        c.backchannel_logout.retry_base = 5;
    })
    .await
    {
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        portal.answer(&[503, 500, 502]);
        let (b, id_token) = portal_login(&app).await;
        logout_at_portal(&app, &b, &id_token).await;
        // Back-off doubles: 5 s, then 10 s; the third failure is the last.
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        app.clock.advance(5);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let row = &app.store.logout_deliveries_of("tax").await.unwrap()[0];
        assert_eq!(row.next_attempt_at, app.clock.now() + 10);
        app.clock.advance(10);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let row = &app.store.logout_deliveries_of("tax").await.unwrap()[0];
        assert_eq!(row.failed_at, Some(app.clock.now()), "[{}]", app.backend);
        assert!(row.delivered_at.is_none());
        app.clock.advance(3600);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 0, "given up");
        assert_eq!(portal.received().len(), 3);
    }
}

#[tokio::test]
async fn an_unreachable_portal_is_retried_and_gets_a_fresh_token_later() {
    for app in apps().await {
        // A port nobody listens on yet: a network error.
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        set_uri(&app, "tax", &format!("http://{addr}/bcl")).await;
        let (b, id_token) = portal_login(&app).await;
        logout_at_portal(&app, &b, &id_token).await;
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let row = &app.store.logout_deliveries_of("tax").await.unwrap()[0];
        assert_eq!(row.attempts, 1);
        assert!(row.delivered_at.is_none() && row.failed_at.is_none());
        let first = jwt_claims(&row.logout_token);

        // The portal comes back long after the token's two minutes.
        let portal = Portal::start_on(addr).await;
        app.clock.advance(600);
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let got = portal.received();
        assert_eq!(got.len(), 1, "[{}]", app.backend);
        let claims = verified(&app, &got[0]).await;
        assert!(claims["exp"].as_i64().unwrap() > app.clock.now());
        assert_eq!(claims["jti"], first["jti"], "the same logout, signed again");
    }
}

#[tokio::test]
async fn ending_a_session_twice_queues_one_delivery() {
    for app in apps().await {
        let (uri, _portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let (_b, id_token) = portal_login(&app).await;
        let sid = jwt_claims(&id_token)["sid"].as_str().unwrap().to_owned();
        let s = app.store.session(&sid).await.unwrap().unwrap();
        let state = &app.state;
        assert_eq!(
            propusk::http::backchannel::session_ended(state, &s)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            propusk::http::backchannel::session_ended(state, &s)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            app.store.logout_deliveries_of("tax").await.unwrap().len(),
            1
        );
    }
}

#[tokio::test]
async fn two_workers_deliver_a_token_once() {
    for app in apps().await {
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let (b, id_token) = portal_login(&app).await;
        logout_at_portal(&app, &b, &id_token).await;
        let (x, y) = tokio::join!(deliver_due(&app.state), deliver_due(&app.state));
        assert_eq!(x.unwrap() + y.unwrap(), 1, "[{}]", app.backend);
        assert_eq!(portal.received().len(), 1);
    }
}

#[tokio::test]
async fn ending_a_session_on_the_sessions_page_tells_the_portal() {
    for app in apps().await {
        let (uri, portal) = Portal::start().await;
        set_uri(&app, "tax", &uri).await;
        let (_portal_browser, id_token) = portal_login(&app).await;
        let sid = jwt_claims(&id_token)["sid"].as_str().unwrap().to_owned();
        let b = browser();
        assert_eq!(
            location(&app.sign_in(&b, "+79123456789", PASSWORD).await),
            "/cabinet"
        );
        let (_, html) = app.page(&b, "/cabinet/sessions").await;
        let csrf = input_value(&html, "csrf").unwrap();
        let resp = b
            .post(app.url("/cabinet/sessions/end"))
            .form(&[("csrf", csrf.as_str()), ("session", sid.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&resp), "/cabinet/sessions?done=ended");
        assert_eq!(deliver_due(&app.state).await.unwrap(), 1);
        let got = portal.received();
        assert_eq!(got.len(), 1, "[{}]", app.backend);
        assert_eq!(verified(&app, &got[0]).await["sid"], sid.as_str());
    }
}
