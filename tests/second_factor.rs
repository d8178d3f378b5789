//! Second factors: TOTP enrolment and login (a code never accepted twice), SMS codes,
//! recovery codes (single use, regenerating voids the old set), the citizen's own
//! "always ask", a portal's requirement and `acr_values`, trusted browsers, `amr` in
//! the ID token, and the second-factor lockout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::*;
use propusk::authn::second_factor::totp_code;
use propusk::clock::Clock as _;
use reqwest::StatusCode;

const PHONE: &str = "+79123456789";

async fn secret_of(app: &TestApp) -> Vec<u8> {
    let t = app.store.totp("citizen-1").await.unwrap().unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t.secret)
        .unwrap()
}

/// Sign in on `b` and set up TOTP through the security page. Returns the secret.
async fn enrol_totp(app: &TestApp, b: &reqwest::Client) -> Vec<u8> {
    app.sign_in(b, PHONE, PASSWORD).await;
    let (_, html) = app.page(b, "/cabinet/security").await;
    let resp = app
        .submit_to(b, &html, "/cabinet/security/totp/start", &[])
        .await;
    if resp.status() != StatusCode::SEE_OTHER {
        panic!("{}: {}", resp.status(), resp.text().await.unwrap());
    }
    assert_eq!(location(&resp), "/cabinet/security");
    let (_, html) = app.page(b, "/cabinet/security").await;
    assert!(
        html.contains("id=\"totp-qr\"") && html.contains("data:image/svg+xml;base64,"),
        "QR shown"
    );
    let secret = secret_of(app).await;
    assert!(
        html.contains(&propusk::authn::second_factor::base32(&secret)),
        "the key for manual entry"
    );
    let resp = app
        .submit_to(
            b,
            &html,
            "/cabinet/security/totp/confirm",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let code = totp_code(&secret, app.clock.now()).unwrap();
    let resp = app
        .submit_to(
            b,
            &html,
            "/cabinet/security/totp/confirm",
            &[("code", &code)],
        )
        .await;
    assert_eq!(location(&resp), "/cabinet/security?done=totp");
    secret
}

/// Flip "ask at every login" to `on` (the form's hidden input carries the new value).
async fn set_require(app: &TestApp, b: &reqwest::Client, on: bool) {
    let (_, html) = app.page(b, "/cabinet/security").await;
    let want = if on {
        "data-on=\"no\""
    } else {
        "data-on=\"yes\""
    };
    assert!(
        html.contains(&format!("id=\"require-state\" {want}")),
        "already set"
    );
    let resp = app
        .submit_to(b, &html, "/cabinet/security/require", &[])
        .await;
    assert_eq!(location(&resp), "/cabinet/security?done=require");
}

#[tokio::test]
async fn totp_is_enrolled_then_asked_at_every_login_and_never_accepted_twice() {
    for app in apps().await {
        let b = browser();
        let secret = enrol_totp(&app, &b).await;
        set_require(&app, &b, true).await;

        // A fresh browser: the password is not enough for the cabinet.
        let c = browser();
        let resp = app.sign_in(&c, PHONE, PASSWORD).await;
        assert_eq!(location(&resp), "/cabinet");
        let (status, _) = app.page(&c, "/cabinet").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{}", app.backend);
        let (_, html) = app.page(&c, "/factor").await;
        assert!(html.contains("action=\"/factor/totp\""));
        // The code of the step used to confirm the enrolment is spent.
        let spent = totp_code(&secret, app.clock.now()).unwrap();
        let resp = app
            .submit_to(&c, &html, "/factor/totp", &[("code", &spent)])
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        app.clock.advance(30);
        let code = totp_code(&secret, app.clock.now()).unwrap();
        let resp = app
            .submit_to(&c, &html, "/factor/totp", &[("code", &code)])
            .await;
        assert_eq!(location(&resp), "/cabinet");
        assert_eq!(app.page(&c, "/cabinet").await.0, StatusCode::OK);
        // The same code again, from another browser: refused (replay).
        let d = browser();
        app.sign_in(&d, PHONE, PASSWORD).await;
        let (_, html) = app.page(&d, "/factor").await;
        let resp = app
            .submit_to(&d, &html, "/factor/totp", &[("code", &code)])
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

        // Removing TOTP needs the password.
        let (_, html) = app.page(&c, "/cabinet/security").await;
        let resp = app
            .submit_to(
                &c,
                &html,
                "/cabinet/security/totp/remove",
                &[("password", "nope")],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let resp = app
            .submit_to(
                &c,
                &html,
                "/cabinet/security/totp/remove",
                &[("password", PASSWORD)],
            )
            .await;
        assert_eq!(location(&resp), "/cabinet/security?done=totp_removed");
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for k in [
            "factor_added",
            "second_factor",
            "second_factor_failed",
            "factor_removed",
            "second_factor_policy",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{k} not audited: {kinds:?}");
        }
    }
}

#[tokio::test]
async fn a_portal_that_requires_a_second_factor_gets_amr_with_sms() {
    for app in apps().await {
        let mut c = confidential_client(
            &propusk::secret::Secret::from_string(app.secret.clone()),
            app.clock.now(),
        );
        c.id = "pension".into();
        c.settings.require_second_factor = true;
        app.store.insert_client(&c).await.unwrap();
        let b = browser();
        let url = app.authorize_url(&[("client_id", "pension")]);
        let Hop::Page { html, .. } = app.follow(&b, url.clone()).await else {
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
        assert!(page.starts_with("/factor?interaction="), "{page}");
        // prompt=none cannot ask: interaction_required.
        let Hop::Left(back) = app
            .follow(
                &b,
                app.authorize_url(&[("client_id", "pension"), ("prompt", "none")]),
            )
            .await
        else {
            panic!()
        };
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("interaction_required")
        );

        // The first "send" form is the SMS one (its hidden input names the channel).
        let resp = app.submit_to(&b, &html, "/factor/send", &[]).await;
        let code_page = location(&resp);
        let sms = app.nth_message_to(PHONE, 1).await;
        assert!(sms.text.contains("входа"), "{}", sms.text);
        let code = digits_in(&sms.text, 6);
        let (_, html) = app.page(&b, &code_page).await;
        let resp = app.submit(&b, &html, &[("code", &code)]).await;
        assert!(
            location(&resp).starts_with("/authorize/"),
            "{}",
            location(&resp)
        );
        let back = app.login_and_consent(&b, location(&resp), PHONE).await;
        let code = query_param(&back, "code").unwrap();
        let tokens: serde_json::Value = reqwest::Client::new()
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
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        let amr: Vec<String> = serde_json::from_value(id["amr"].clone()).unwrap();
        assert_eq!(amr, ["pwd", "sms", "mfa"]);
    }
}

#[tokio::test]
async fn acr_values_ask_for_a_factor_and_recovery_codes_work_once() {
    for app in apps().await {
        let b = browser();
        app.sign_in(&b, PHONE, PASSWORD).await;
        let (_, html) = app.page(&b, "/cabinet/security").await;
        let resp = app
            .submit_to(&b, &html, "/cabinet/security/recovery", &[])
            .await;
        let html = resp.text().await.unwrap();
        let codes: Vec<String> = html
            .split("<li><code>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect();
        assert_eq!(codes.len(), 10);
        // Regenerating voids the first set.
        let resp = app
            .submit_to(&b, &html, "/cabinet/security/recovery", &[])
            .await;
        let html = resp.text().await.unwrap();
        let fresh: Vec<String> = html
            .split("<li><code>")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_owned())
            .collect();

        let url = app.authorize_url(&[("acr_values", "urn:propusk:mfa")]);
        let Hop::Page {
            html, url: page, ..
        } = app.follow(&b, url.clone()).await
        else {
            panic!()
        };
        assert!(
            page.starts_with("/factor?interaction="),
            "the session from the cabinet steps up"
        );
        let resp = app
            .submit_to(&b, &html, "/factor/recovery", &[("code", &codes[0])])
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::UNAUTHORIZED,
            "an old code is void"
        );
        let (_, html) = app.page(&b, &page).await;
        let resp = app
            .submit_to(
                &b,
                &html,
                "/factor/recovery",
                &[("code", &fresh[0].to_uppercase())],
            )
            .await;
        let back = app.login_and_consent(&b, location(&resp), PHONE).await;
        assert!(query_param(&back, "code").is_some(), "{back}");
        assert_eq!(
            app.store
                .factor_summary("citizen-1")
                .await
                .unwrap()
                .recovery_codes_left,
            9
        );
        // Used once: a new browser cannot use it again.
        let c = browser();
        let Hop::Page { html, .. } = app.follow(&c, url).await else {
            panic!()
        };
        let resp = app
            .submit(&c, &html, &[("login", PHONE), ("password", PASSWORD)])
            .await;
        let Hop::Page { html, .. } = app.follow(&c, location(&resp)).await else {
            panic!()
        };
        let resp = app
            .submit_to(&c, &html, "/factor/recovery", &[("code", &fresh[0])])
            .await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_trusted_browser_skips_the_citizens_own_rule_but_not_a_portals() {
    for app in apps().await {
        let b = browser();
        let secret = enrol_totp(&app, &b).await;
        set_require(&app, &b, true).await;
        let c = browser();
        app.sign_in(&c, PHONE, PASSWORD).await;
        let (_, html) = app.page(&c, "/factor").await;
        app.clock.advance(30);
        let code = totp_code(&secret, app.clock.now()).unwrap();
        let resp = app
            .submit_to(
                &c,
                &html,
                "/factor/totp",
                &[("code", &code), ("trust", "yes")],
            )
            .await;
        assert_eq!(location(&resp), "/cabinet");
        // Sign out and in again in the trusted browser: no factor asked.
        let (_, html) = app.page(&c, "/cabinet").await;
        app.submit_to(&c, &html, "/signout", &[]).await;
        app.sign_in(&c, PHONE, PASSWORD).await;
        assert_eq!(app.page(&c, "/cabinet").await.0, StatusCode::OK);
        // A portal asking for a second factor still gets one asked.
        let Hop::Page { url, .. } = app
            .follow(&c, app.authorize_url(&[("acr_values", "urn:propusk:mfa")]))
            .await
        else {
            panic!()
        };
        assert!(url.starts_with("/factor"), "{url}");
    }
}

#[tokio::test]
async fn wrong_codes_lock_the_second_factor() {
    for app in apps().await {
        let b = browser();
        enrol_totp(&app, &b).await;
        set_require(&app, &b, true).await;
        let c = browser();
        app.sign_in(&c, PHONE, PASSWORD).await;
        let (_, html) = app.page(&c, "/factor").await;
        let statuses = [
            app.submit_to(&c, &html, "/factor/totp", &[("code", "111111")])
                .await
                .status(),
            app.submit_to(&c, &html, "/factor/totp", &[("code", "222222")])
                .await
                .status(),
            app.submit_to(&c, &html, "/factor/totp", &[("code", "333333")])
                .await
                .status(),
        ];
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 3]);
        let resp = app
            .submit_to(&c, &html, "/factor/totp", &[("code", "444444")])
            .await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "account_locked"));
    }
}
