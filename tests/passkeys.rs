//! Passkeys (WebAuthn) with a software authenticator driving the JSON ceremonies over
//! HTTP, as `/assets/passkey.js` does in a browser: registration in the cabinet,
//! removal with the password, the second factor for a portal that requires one (`amr`
//! `pwd hwk mfa`), passwordless login to a portal and to the cabinet (`amr` `hwk user
//! mfa`), decoys for unknown logins, and replayed, forged or foreign assertions refused.
//!
//! WebAuthn relying-party IDs are domain names, so these apps' issuer is `localhost`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::clock::Clock as _;
use reqwest::StatusCode;
use serde_json::Value;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse, Url,
    WebauthnAuthenticator as _,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const PHONE: &str = "+79123456789";

async fn passkey_apps() -> Vec<TestApp> {
    apps_with(|c| c.issuer = c.issuer.replace("127.0.0.1", "localhost")).await
}

fn origin(app: &TestApp) -> Url {
    Url::parse(&app.base).unwrap()
}

/// A form post the way the script makes it; the JSON answer.
async fn post(
    app: &TestApp,
    b: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let resp = b.post(app.url(path)).form(form).send().await.unwrap();
    let status = resp.status();
    assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
    (status, resp.json().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    input_value(html, "csrf").expect("a CSRF token on the page")
}

/// Register `key` on the cabinet's passkeys page of the signed-in browser `b`.
async fn register(
    app: &TestApp,
    b: &reqwest::Client,
    key: &mut SoftPasskey,
    name: &str,
) -> (StatusCode, Value) {
    let (status, html) = app.page(b, "/cabinet/passkeys").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&html);
    let (status, start) = post(
        app,
        b,
        "/cabinet/passkeys/register/start",
        &[("csrf", &csrf), ("name", name)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let ccr: CreationChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let cred = key.do_registration(origin(app), ccr).unwrap();
    post(
        app,
        b,
        "/cabinet/passkeys/register/finish",
        &[
            ("csrf", &csrf),
            ("name", name),
            ("ceremony", start["ceremony"].as_str().unwrap()),
            ("credential", &serde_json::to_string(&cred).unwrap()),
        ],
    )
    .await
}

/// Sign the seeded citizen in on a fresh browser and register one passkey.
async fn citizen_with_passkey(app: &TestApp) -> (reqwest::Client, SoftPasskey) {
    let b = browser();
    app.sign_in(&b, PHONE, PASSWORD).await;
    let mut key = SoftPasskey::new(true);
    let (status, done) = register(app, &b, &mut key, "Телефон").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["redirect"], "/cabinet/passkeys?done=added");
    (b, key)
}

/// The authenticator's answer to a challenge the server sent as JSON.
fn answer(app: &TestApp, key: &mut SoftPasskey, start: &Value) -> PublicKeyCredential {
    let rcr: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    key.do_authentication(origin(app), rcr).unwrap()
}

fn ceremony(start: &Value) -> &str {
    start["ceremony"].as_str().unwrap()
}

fn id_token_amr(tokens: &Value) -> Vec<String> {
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    serde_json::from_value(id["amr"].clone()).unwrap()
}

async fn audit_kinds(app: &TestApp) -> Vec<(String, Value)> {
    app.store
        .audit_for_account("citizen-1", 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, serde_json::from_str(&e.detail).unwrap()))
        .collect()
}

#[tokio::test]
async fn a_passkey_is_registered_in_the_cabinet_and_removed_only_with_the_password() {
    for app in passkey_apps().await {
        let b = browser();
        app.sign_in(&b, PHONE, PASSWORD).await;
        let (_, security) = app.page(&b, "/cabinet/security").await;
        assert!(security.contains("href=\"/cabinet/passkeys\""));
        let (_, html) = app.page(&b, "/cabinet/passkeys").await;
        assert!(html.contains("id=\"passkeys-none\""));
        assert!(html.contains("src=\"/assets/passkey.js\""));
        let csrf = csrf_of(&html);

        // No CSRF token, no session: refused before any ceremony.
        let (status, _) = post(&app, &b, "/cabinet/passkeys/register/start", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let stranger = browser();
        let (status, _) = post(
            &app,
            &stranger,
            "/cabinet/passkeys/register/start",
            &[("csrf", "x")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let mut key = SoftPasskey::new(true);
        let (status, start) = post(
            &app,
            &b,
            "/cabinet/passkeys/register/start",
            &[("csrf", &csrf), ("name", "Ноутбук")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}", app.backend);
        let pk = &start["options"]["publicKey"];
        assert_eq!(pk["rp"]["id"], "localhost");
        assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
        let ccr: CreationChallengeResponse =
            serde_json::from_value(start["options"].clone()).unwrap();
        let cred = key.do_registration(origin(&app), ccr).unwrap();
        let cred_json = serde_json::to_string(&cred).unwrap();
        let finish = [
            ("csrf", csrf.as_str()),
            ("name", "Ноутбук"),
            ("ceremony", ceremony(&start)),
            ("credential", cred_json.as_str()),
        ];
        // From another browser (no ceremony cookie): nothing to finish.
        let other = browser();
        app.sign_in(&other, PHONE, PASSWORD).await;
        let (_, other_html) = app.page(&other, "/cabinet/passkeys").await;
        let other_csrf = csrf_of(&other_html);
        let mut stolen = finish;
        stolen[0] = ("csrf", other_csrf.as_str());
        let (status, _) = post(&app, &other, "/cabinet/passkeys/register/finish", &stolen).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, done) = post(&app, &b, "/cabinet/passkeys/register/finish", &finish).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["redirect"], "/cabinet/passkeys?done=added");
        // The ceremony is spent.
        let (status, again) = post(&app, &b, "/cabinet/passkeys/register/finish", &finish).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{again}");

        let stored = app.store.passkeys("citizen-1").await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].name, "Ноутбук");
        assert_eq!(
            app.store
                .factor_summary("citizen-1")
                .await
                .unwrap()
                .passkeys,
            1
        );
        let (_, html) = app.page(&b, "/cabinet/passkeys?done=added").await;
        assert!(html.contains("Ноутбук") && html.contains("class=\"flash\""));
        // A second registration excludes the passkey already there.
        let (_, start) = post(
            &app,
            &b,
            "/cabinet/passkeys/register/start",
            &[("csrf", &csrf)],
        )
        .await;
        let excluded = start["options"]["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap();
        assert_eq!(excluded.len(), 1);
        assert_eq!(excluded[0]["id"].as_str().unwrap(), stored[0].credential_id);

        // Removal needs the password.
        let resp = app
            .submit_to(
                &b,
                &html,
                "/cabinet/passkeys/remove",
                &[("password", "nope")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.store.passkeys("citizen-1").await.unwrap().len(), 1);
        let resp = app
            .submit_to(
                &b,
                &html,
                "/cabinet/passkeys/remove",
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(location(&resp), "/cabinet/passkeys?done=removed");
        assert!(app.store.passkeys("citizen-1").await.unwrap().is_empty());
        let events = audit_kinds(&app).await;
        for kind in ["factor_added", "factor_removed"] {
            assert!(
                events
                    .iter()
                    .any(|(k, d)| k == kind && d["factor"] == "passkey"),
                "{kind}: {events:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_portal_that_requires_a_second_factor_accepts_a_passkey_with_amr_hwk() {
    for app in passkey_apps().await {
        let mut c = confidential_client(
            &propusk::secret::Secret::from_string(app.secret.clone()),
            app.clock.now(),
        );
        c.id = "pension".into();
        c.settings.require_second_factor = true;
        app.store.insert_client(&c).await.unwrap();
        let (_, mut key) = citizen_with_passkey(&app).await;

        let b = browser();
        let url = app.authorize_url(&[("client_id", "pension")]);
        let Hop::Page { html, .. } = app.follow(&b, url).await else {
            panic!()
        };
        let resp = app
            .submit(&b, &html, &[("login", PHONE), ("password", PASSWORD)])
            .await;
        let Hop::Page {
            html, url: page, ..
        } = app.follow(&b, location(&resp)).await
        else {
            panic!()
        };
        let uid = page
            .strip_prefix("/factor?interaction=")
            .unwrap()
            .to_owned();
        let link = format!("/factor/passkey?interaction={uid}");
        assert!(html.contains(&link), "the factor page offers the passkey");
        let (status, html) = app.page(&b, &link).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            input_value(&html, "interaction").as_deref(),
            Some(uid.as_str())
        );
        let csrf = csrf_of(&html);
        let (status, start) = post(
            &app,
            &b,
            "/factor/passkey/start",
            &[("csrf", &csrf), ("interaction", &uid)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{start}");
        let assertion = serde_json::to_string(&answer(&app, &mut key, &start)).unwrap();
        let (status, done) = post(
            &app,
            &b,
            "/factor/passkey/finish",
            &[
                ("csrf", &csrf),
                ("interaction", &uid),
                ("ceremony", ceremony(&start)),
                ("credential", &assertion),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{done}");
        let to = done["redirect"].as_str().unwrap();
        assert_eq!(to, format!("/authorize/{uid}"));
        let back = app.login_and_consent(&b, to.to_owned(), PHONE).await;
        let code = query_param(&back, "code").unwrap_or_else(|| panic!("{back}"));
        let tokens: Value = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("pension", Some(&app.secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(id_token_amr(&tokens), ["pwd", "hwk", "mfa"]);

        let stored = app.store.passkeys("citizen-1").await.unwrap();
        assert_eq!(stored[0].last_used_at, Some(app.clock.now()));
        let events = audit_kinds(&app).await;
        assert!(
            events
                .iter()
                .any(|(k, d)| k == "second_factor" && d["method"] == "hwk"),
            "{events:?}"
        );

        // Another browser replays that assertion into its own ceremony: refused, and
        // counted like a wrong code.
        let c = browser();
        app.sign_in(&c, PHONE, PASSWORD).await;
        let (_, html) = app.page(&c, "/factor/passkey").await;
        let csrf = csrf_of(&html);
        let (_, start) = post(&app, &c, "/factor/passkey/start", &[("csrf", &csrf)]).await;
        let (status, refused) = post(
            &app,
            &c,
            "/factor/passkey/finish",
            &[
                ("csrf", &csrf),
                ("ceremony", ceremony(&start)),
                ("credential", &assertion),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");
        assert_eq!(refused["error"], "refused");
        assert!(
            audit_kinds(&app)
                .await
                .iter()
                .any(|(k, d)| k == "second_factor_failed" && d["method"] == "hwk")
        );
    }
}

/// The passwordless page's CSRF token and a started ceremony for `login`.
async fn passwordless_start(
    app: &TestApp,
    b: &reqwest::Client,
    page: &str,
    login: &str,
) -> (String, String, Value) {
    let (status, html) = app.page(b, page).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = csrf_of(&html);
    let start_path = format!("{page}/start");
    let (status, start) = post(app, b, &start_path, &[("csrf", &csrf), ("login", login)]).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    (csrf, start_path, start)
}

async fn passwordless_finish(
    app: &TestApp,
    b: &reqwest::Client,
    page: &str,
    csrf: &str,
    start: &Value,
    credential: &str,
) -> (StatusCode, Value) {
    post(
        app,
        b,
        &format!("{page}/finish"),
        &[
            ("csrf", csrf),
            ("ceremony", ceremony(start)),
            ("credential", credential),
        ],
    )
    .await
}

#[tokio::test]
async fn passwordless_login_reaches_a_portal_and_the_cabinet() {
    for app in passkey_apps().await {
        let (_, mut key) = citizen_with_passkey(&app).await;

        // A portal's login page offers it.
        let b = browser();
        let Hop::Page { html, url, .. } = app.follow(&b, app.authorize_url(&[])).await else {
            panic!()
        };
        let uid = url.strip_prefix("/interaction/").unwrap().to_owned();
        let page = format!("/interaction/{uid}/login/passkey");
        assert!(html.contains(&format!("href=\"{page}\"")), "{html}");
        let (csrf, _, start) = passwordless_start(&app, &b, &page, "+7 912 345-67-89").await;
        let allowed = start["options"]["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .clone();
        let stored = app.store.passkeys("citizen-1").await.unwrap();
        assert!(
            allowed
                .iter()
                .any(|c| c["id"] == stored[0].credential_id.as_str())
        );
        assert!(
            allowed.iter().all(|c| c.get("transports").is_none()),
            "no transports: a real answer looks like a decoy"
        );
        let assertion = serde_json::to_string(&answer(&app, &mut key, &start)).unwrap();
        let (status, done) = passwordless_finish(&app, &b, &page, &csrf, &start, &assertion).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["redirect"], format!("/authorize/{uid}"));
        let back = app
            .login_and_consent(&b, done["redirect"].as_str().unwrap().to_owned(), PHONE)
            .await;
        let code = query_param(&back, "code").unwrap_or_else(|| panic!("{back}"));
        let (status, tokens) = app.exchange(&code).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(id_token_amr(&tokens), ["hwk", "user", "mfa"]);
        let events = audit_kinds(&app).await;
        assert!(
            events
                .iter()
                .any(|(k, d)| k == "passkey_login" && d["method"] == "hwk"),
            "{events:?}"
        );

        // The cabinet's own sign-in page offers it too.
        let c = browser();
        let (_, html) = app.page(&c, "/signin").await;
        assert!(html.contains("href=\"/signin/passkey\""));
        let (csrf, _, start) =
            passwordless_start(&app, &c, "/signin/passkey", "ivanov@example.ru").await;
        let assertion = serde_json::to_string(&answer(&app, &mut key, &start)).unwrap();
        let (status, done) =
            passwordless_finish(&app, &c, "/signin/passkey", &csrf, &start, &assertion).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["redirect"], "/cabinet");
        let (status, html) = app.page(&c, "/cabinet").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("/signout"));
    }
}

#[tokio::test]
async fn unknown_logins_get_stable_decoys_shaped_like_real_challenges() {
    for app in passkey_apps().await {
        let (_, _key) = citizen_with_passkey(&app).await;
        let b = browser();
        let shape = |v: &Value| {
            let pk = &v["options"]["publicKey"];
            let mut keys: Vec<String> = pk.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            let entry: Vec<Vec<String>> = pk["allowCredentials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let mut k: Vec<String> = c.as_object().unwrap().keys().cloned().collect();
                    k.sort();
                    k
                })
                .collect();
            (
                keys,
                entry.into_iter().next(),
                v["options"].get("mediation").is_some(),
            )
        };
        let ids = |v: &Value| -> Vec<String> {
            v["options"]["publicKey"]["allowCredentials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, _, real) = passwordless_start(&app, &b, "/signin/passkey", PHONE).await;
        // Find an unknown login whose decoy has a credential, to compare entry shapes.
        let mut decoy = None;
        for n in 0..20 {
            let login = format!("+7999000{n:04}");
            let (_, _, d) = passwordless_start(&app, &b, "/signin/passkey", &login).await;
            if !ids(&d).is_empty() {
                decoy = Some((login, d));
                break;
            }
        }
        let (login, decoy) = decoy.expect("some decoy has credentials");
        assert_eq!(shape(&real), shape(&decoy), "{real}\n{decoy}");
        let (_, _, again) = passwordless_start(&app, &b, "/signin/passkey", &login).await;
        assert_eq!(ids(&decoy), ids(&again), "the same decoys every time");
        assert_ne!(
            decoy["options"]["publicKey"]["challenge"],
            again["options"]["publicKey"]["challenge"]
        );
        // A decoy ceremony refuses like a wrong passkey.
        let (_, html) = app.page(&b, "/signin/passkey").await;
        let csrf = csrf_of(&html);
        let (status, refused) =
            passwordless_finish(&app, &b, "/signin/passkey", &csrf, &again, "{\"id\":\"x\"}").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused["error"], "refused");
        // A malformed login is a form error, not a lookup.
        let (status, _) = post(
            &app,
            &b,
            "/signin/passkey/start",
            &[("csrf", &csrf), ("login", "not a login")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn replayed_forged_and_foreign_assertions_are_refused() {
    for app in passkey_apps().await {
        let (_, mut key) = citizen_with_passkey(&app).await;
        let page = "/signin/passkey";
        let b = browser();

        // A good login, then the same answer posted again: the ceremony is spent.
        let (csrf, _, first) = passwordless_start(&app, &b, page, PHONE).await;
        let good = serde_json::to_string(&answer(&app, &mut key, &first)).unwrap();
        let (status, _) = passwordless_finish(&app, &b, page, &csrf, &first, &good).await;
        assert_eq!(status, StatusCode::OK);
        let (status, replay) = passwordless_finish(&app, &b, page, &csrf, &first, &good).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{replay}");
        assert_eq!(replay["error"], "expired");

        // The old answer against a fresh challenge: the challenge does not match.
        let c = browser();
        let (csrf, _, second) = passwordless_start(&app, &c, page, PHONE).await;
        let (status, refused) = passwordless_finish(&app, &c, page, &csrf, &second, &good).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{refused}");

        // A forged signature on a fresh answer.
        let (csrf, _, third) = passwordless_start(&app, &c, page, PHONE).await;
        let mut forged: Value = serde_json::to_value(answer(&app, &mut key, &third)).unwrap();
        // One character inside the signature's integers (not its DER header).
        let sig = forged["response"]["signature"].as_str().unwrap().to_owned();
        let mut chars: Vec<char> = sig.chars().collect();
        chars[20] = if chars[20] == 'A' { 'B' } else { 'A' };
        forged["response"]["signature"] = Value::String(chars.into_iter().collect());
        let (status, _) =
            passwordless_finish(&app, &c, page, &csrf, &third, &forged.to_string()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // Another browser cannot finish this browser's ceremony.
        let (csrf, _, fourth) = passwordless_start(&app, &c, page, PHONE).await;
        let answer4 = serde_json::to_string(&answer(&app, &mut key, &fourth)).unwrap();
        let d = browser();
        let (_, html) = app.page(&d, page).await;
        let d_csrf = csrf_of(&html);
        let (status, _) = passwordless_finish(&app, &d, page, &d_csrf, &fourth, &answer4).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // … while this browser still can.
        let (status, done) = passwordless_finish(&app, &c, page, &csrf, &fourth, &answer4).await;
        assert_eq!(status, StatusCode::OK, "{done}");

        let failed = audit_kinds(&app)
            .await
            .iter()
            .filter(|(k, _)| k == "passkey_login_failed")
            .count();
        assert_eq!(failed, 2, "the stale and the forged answer");
        // Two failures and a success: the login lockout did not trip and was reset.
        let resp = app.sign_in(&browser(), PHONE, PASSWORD).await;
        assert_eq!(location(&resp), "/cabinet");
    }
}

#[tokio::test]
async fn with_an_ip_address_issuer_passkeys_are_off() {
    for app in apps().await {
        let b = browser();
        app.sign_in(&b, PHONE, PASSWORD).await;
        let (status, html) = app.page(&b, "/cabinet/passkeys").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"passkeys-unavailable\""));
        // The page has no form then; the security page's token is the same one.
        let (_, security) = app.page(&b, "/cabinet/security").await;
        let csrf = csrf_of(&security);
        let (status, refused) = post(
            &app,
            &b,
            "/cabinet/passkeys/register/start",
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(refused["error"], "passkeys_unavailable");
        let resp = b.get(app.url("/assets/passkey.js")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.text().await.unwrap().contains("navigator.credentials"));
    }
}
