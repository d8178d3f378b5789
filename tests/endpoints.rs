//! Discovery, JWKS, userinfo, introspection, revocation, health and metrics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::*;
use serde_json::Value;

#[tokio::test]
async fn discovery_lists_what_is_implemented() {
    for app in apps().await {
        let d: Value = reqwest::get(app.url("/.well-known/openid-configuration"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["issuer"], app.base.as_str());
        for (key, path) in [
            ("authorization_endpoint", "/authorize"),
            ("token_endpoint", "/token"),
            ("userinfo_endpoint", "/userinfo"),
            ("jwks_uri", "/jwks"),
            ("end_session_endpoint", "/logout"),
            ("revocation_endpoint", "/revoke"),
            ("introspection_endpoint", "/introspect"),
        ] {
            assert_eq!(d[key], format!("{}{path}", app.base), "{key}");
            // Every advertised endpoint exists (answers something other than 404).
            let status = reqwest::Client::new()
                .post(d[key].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .status();
            assert_ne!(status, 404, "{key}");
        }
        assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(
            d["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(d["authorization_response_iss_parameter_supported"], true);
        assert_eq!(d["request_parameter_supported"], false);
        let jwks: Value = reqwest::get(d["jwks_uri"].as_str().unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let algs: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["alg"].as_str().unwrap())
            .collect();
        for alg in d["id_token_signing_alg_values_supported"]
            .as_array()
            .unwrap()
        {
            assert!(
                algs.contains(&alg.as_str().unwrap()),
                "a key for every advertised alg"
            );
        }
    }
}

#[tokio::test]
async fn id_tokens_use_the_portals_algorithm() {
    for app in apps().await {
        // The public client is registered with ES256.
        let b = browser();
        let url = format!(
            "{}?client_id=mobile&redirect_uri=http%3A%2F%2F127.0.0.1%3A7777%2Fcb&response_type=code&scope=openid%20profile&code_challenge={CHALLENGE}&code_challenge_method=S256",
            app.url("/authorize")
        );
        let back = app.login_and_consent(&b, url, "ivanov@example.ru").await;
        let code = query_param(&back, "code").unwrap();
        let resp: Value = reqwest::Client::new()
            .post(app.url("/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:7777/cb"),
                ("client_id", "mobile"),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let jwt = resp["id_token"]
            .as_str()
            .unwrap_or_else(|| panic!("{resp}"));
        use base64::Engine as _;
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(jwt.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "ES256");
        assert!(resp.get("refresh_token").is_none());
    }
}

#[tokio::test]
async fn userinfo_demands_a_valid_bearer_token() {
    for app in apps().await {
        let c = reqwest::Client::new();
        let none = c.get(app.url("/userinfo")).send().await.unwrap();
        assert_eq!(none.status(), 401);
        assert_eq!(
            none.headers()["www-authenticate"],
            "Bearer realm=\"propusk\""
        );
        let bad = c
            .get(app.url("/userinfo"))
            .bearer_auth("not.a.token")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 401);
        assert!(
            bad.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("error=\"invalid_token\"")
        );
        // POST with the token in the body works too (RFC 6750 §2.2).
        let b = browser();
        let code = app.code(&b, &[("scope", "openid profile snils")]).await;
        let (_, tokens) = app.exchange(&code).await;
        let token = tokens["access_token"].as_str().unwrap();
        let info: Value = c
            .post(app.url("/userinfo"))
            .form(&[("access_token", token)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(info["sub"], "citizen-1");
        assert_eq!(info["name"], "Иванов Иван Иванович");
        assert_eq!(info["snils"], "112-233-445 95");
        assert!(info.get("email").is_none());
        // A token is accepted as the bytes it was issued as: the same jti with a payload
        // widened to `email`, or the issued payload under another signature, is refused.
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        claims["scope"] = Value::from("openid profile snils email");
        let widened = format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(serde_json::to_vec(&claims).unwrap()),
            parts[2]
        );
        let mut sig = b64.decode(parts[2]).unwrap();
        sig[10] ^= 1;
        let resigned = format!("{}.{}.{}", parts[0], parts[1], b64.encode(sig));
        for forged in [widened, resigned] {
            let r = c
                .get(app.url("/userinfo"))
                .bearer_auth(&forged)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{forged}");
        }
        // An ID token is not an access token.
        let id = c
            .get(app.url("/userinfo"))
            .bearer_auth(tokens["id_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(id.status(), 401);
        // Expired access tokens stop working.
        app.clock.advance(601);
        let late = c
            .get(app.url("/userinfo"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(late.status(), 401);
    }
}

#[tokio::test]
async fn introspection_and_refresh_token_revocation() {
    for app in apps().await {
        let b = browser();
        let code = app
            .code(
                &b,
                &[
                    ("scope", "openid email offline_access"),
                    ("prompt", "consent"),
                ],
            )
            .await;
        let (status, tokens) = app.exchange(&code).await;
        assert_eq!(status, 200, "{tokens}");
        let refresh = tokens["refresh_token"]
            .as_str()
            .expect("offline_access gives a refresh token");
        let access = tokens["access_token"].as_str().unwrap();
        let c = reqwest::Client::new();
        let introspect = |token: String| {
            let c = c.clone();
            let url = app.url("/introspect");
            let secret = app.secret.clone();
            async move {
                c.post(url)
                    .basic_auth("tax", Some(secret))
                    .form(&[("token", token)])
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let a = introspect(access.to_owned()).await;
        assert_eq!(
            (
                a["active"].clone(),
                a["sub"].clone(),
                a["client_id"].clone()
            ),
            (Value::Bool(true), "citizen-1".into(), "tax".into())
        );
        let r = introspect(refresh.to_owned()).await;
        assert_eq!(
            (r["active"].clone(), r["token_type"].clone()),
            (Value::Bool(true), "refresh_token".into())
        );
        assert_eq!(
            introspect("garbage".into()).await,
            serde_json::json!({ "active": false })
        );
        // Public clients cannot introspect.
        let public = c
            .post(app.url("/introspect"))
            .form(&[("token", access), ("client_id", "mobile")])
            .send()
            .await
            .unwrap();
        assert_eq!(public.status(), 401);

        // Revoking the refresh token revokes the grant: the access token dies too.
        let resp = c
            .post(app.url("/revoke"))
            .basic_auth("tax", Some(&app.secret))
            .form(&[("token", refresh), ("token_type_hint", "refresh_token")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(introspect(refresh.to_owned()).await["active"], false);
        assert_eq!(
            introspect(access.to_owned()).await["active"],
            false,
            "[{}]",
            app.backend
        );
        let (status, body) = app
            .token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        // Unknown tokens: still 200 (RFC 7009 §2.2).
        let resp = c
            .post(app.url("/revoke"))
            .basic_auth("tax", Some(&app.secret))
            .form(&[("token", "nope")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn refresh_can_narrow_but_not_widen_the_scope() {
    for app in apps().await {
        let b = browser();
        let code = app
            .code(
                &b,
                &[
                    ("scope", "openid email offline_access"),
                    ("prompt", "consent"),
                ],
            )
            .await;
        let (_, tokens) = app.exchange(&code).await;
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let (status, body) = app
            .token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "openid phone"),
            ])
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_scope"))
        );
        // The refused request did not use the token up.
        let (status, body) = app
            .token(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "openid"),
            ])
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["scope"], "openid");
        let next = body["refresh_token"]
            .as_str()
            .expect("the rotated token keeps offline_access");
        let (status, body) = app
            .token(&[("grant_type", "refresh_token"), ("refresh_token", next)])
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["scope"], "openid email offline_access",
            "the grant's full scope returns"
        );
    }
}

#[tokio::test]
async fn health_metrics_and_security_headers() {
    for app in apps().await {
        let h = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(h.status(), 200);
        assert_eq!(h.headers()["x-frame-options"], "DENY");
        let b = browser();
        let _ = app.code(&b, &[]).await;
        let m = reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(m.contains("propusk_http_requests_total"), "{m}");
        assert!(m.contains("propusk_logins_total{outcome=\"success\"}"));
        assert!(m.contains("route=\"/authorize\""));
    }
}
