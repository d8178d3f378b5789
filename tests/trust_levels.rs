//! The three trust levels: personal data verified by the registry verifier (standard),
//! identity confirmed by an operator or a postal code (confirmed), levels in tokens,
//! a portal's minimum and `acr_values` enforced with a page that says how to rise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::clock::Clock as _;
use reqwest::StatusCode;

const STANDARD_ACR: &str = "urn:propusk:loa:standard";

#[tokio::test]
async fn personal_data_is_validated_frozen_while_checked_and_raises_the_level() {
    for app in apps().await {
        let b = browser();
        // Every bad field is named.
        let resp = app
            .submit_personal(
                &b,
                &[
                    ("snils", "112-233-445 96"),
                    ("inn", "500100732250"),
                    ("passport_series", "45"),
                    ("birth_date", "2020-01-01"),
                ],
            )
            .await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            app.backend
        );
        let body = resp.text().await.unwrap();
        for msg in [
            "СНИЛС: 11 цифр",
            "ИНН: 12 цифр",
            "Серия паспорта: 4 цифры",
            "Дата рождения:",
        ] {
            assert!(body.contains(msg), "{msg} missing");
        }
        assert!(
            body.contains("value=\"500100732250\""),
            "typed values are kept"
        );

        let (_, before) = app.page(&b, "/cabinet").await;
        let resp = app.submit_personal(&b, &[]).await;
        assert_eq!(location(&resp), "/cabinet?done=personal");
        let (_, html) = app.page(&b, "/cabinet").await;
        assert!(html.contains("data-state=\"pending\""));
        assert!(
            !html.contains("action=\"/cabinet/personal\""),
            "no form while checked"
        );
        // A second submission (an old tab) is refused while the check runs.
        let resp = app
            .submit_to(&b, &before, "/cabinet/personal", &personal_form())
            .await;
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("Данные проверяются и пока не могут быть изменены")
        );

        // The worker runs the job: verified, standard, the citizen is told.
        assert_eq!(app.run_jobs().await, 1);
        assert_eq!(app.run_jobs().await, 0, "a job runs once");
        let (_, html) = app.page(&b, "/cabinet").await;
        assert!(html.contains("data-level=\"standard\""));
        assert!(html.contains("data-state=\"verified\""));
        let sms = app.nth_message_to("+79123456789", 1).await;
        assert!(sms.text.contains("подтверждены"), "{}", sms.text);
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for k in [
            "personal_data_submitted",
            "verification_finished",
            "level_changed",
        ] {
            assert!(kinds.iter().any(|x| x == k), "{k} not audited: {kinds:?}");
        }
    }
}

#[tokio::test]
async fn another_accounts_snils_is_refused() {
    for app in apps().await {
        // A second account holds a SNILS already.
        let mut other = citizen(app.clock.now()).await;
        other.id = "citizen-2".into();
        other.phone = Some("+79990000000".into());
        other.email = None;
        other.snils = Some("00000000000".into());
        app.store.insert_account(&other).await.unwrap();
        let b = browser();
        let resp = app
            .submit_personal(&b, &[("snils", "000-000-000 00")])
            .await;
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("уже указан в другой учётной записи")
        );
        assert!(
            app.store
                .personal_data("citizen-1")
                .await
                .unwrap()
                .is_none(),
            "nothing half-written"
        );
    }
}

/// A stand-in for an external registry service: answers every request with `answer`
/// (or 503 when `None`).
async fn registry(answer: Option<serde_json::Value>) -> String {
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/verify",
        post(move |axum::Json(req): axum::Json<serde_json::Value>| {
            let answer = answer.clone();
            async move {
                assert_eq!(req["snils"], "11223344595", "the request carries the data");
                assert_eq!(req["family_name"], "Иванов");
                match answer {
                    Some(a) => axum::Json(a).into_response(),
                    None => axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response(),
                }
            }
        }),
    );
    use axum::response::IntoResponse as _;
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/verify")
}

#[tokio::test]
async fn a_rejection_by_the_registry_keeps_the_level_and_tells_why() {
    let url = registry(Some(
        serde_json::json!({"verified": false, "reason": "паспорт недействителен"}),
    ))
    .await;
    for app in apps_with(|c| {
        c.verification.registry = Some(propusk::verify::HttpVerifierConfig {
            url: url.clone(),
            auth_header: Some("Authorization: Bearer t".into()),
            auth_header_file: None,
            timeout_ms: 2000,
        })
    })
    .await
    {
        let b = browser();
        app.submit_personal(&b, &[]).await;
        assert_eq!(app.run_jobs().await, 1);
        let (_, html) = app.page(&b, "/cabinet").await;
        assert!(html.contains("data-level=\"simplified\""));
        assert!(html.contains("data-state=\"rejected\""));
        assert!(html.contains("паспорт недействителен"));
        assert!(
            html.contains("action=\"/cabinet/personal\""),
            "the data can be corrected"
        );
        let sms = app.nth_message_to("+79123456789", 1).await;
        assert!(sms.text.contains("паспорт недействителен"));
    }
}

#[tokio::test]
async fn an_unavailable_registry_is_retried_then_given_up() {
    let url = registry(None).await;
    for app in apps_with(|c| {
        c.verification.max_attempts = 2;
        c.verification.retry_base = 30;
        c.verification.registry = Some(propusk::verify::HttpVerifierConfig {
            url: url.clone(),
            auth_header: None,
            auth_header_file: None,
            timeout_ms: 2000,
        });
    })
    .await
    {
        let b = browser();
        app.submit_personal(&b, &[]).await;
        assert_eq!(app.run_jobs().await, 1);
        let p = app.store.personal_data("citizen-1").await.unwrap().unwrap();
        assert_eq!(p.state, "pending", "still pending: retried later");
        assert_eq!(app.run_jobs().await, 0, "not due before the back-off");
        app.clock.advance(31);
        assert_eq!(app.run_jobs().await, 1);
        let p = app.store.personal_data("citizen-1").await.unwrap().unwrap();
        assert_eq!(p.state, "failed");
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.trust_level, "simplified");
    }
}

#[tokio::test]
async fn a_job_survives_a_restart_of_its_worker() {
    for app in apps().await {
        let b = browser();
        app.submit_personal(&b, &[]).await;
        // A worker claimed the job and died: the lease runs out, another takes it.
        let claimed = app.store.claim_job(app.clock.now(), 120).await.unwrap();
        assert!(claimed.is_some());
        assert_eq!(app.run_jobs().await, 0, "leased to the dead worker");
        app.clock.advance(121);
        assert_eq!(app.run_jobs().await, 1);
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.trust_level, "standard");
    }
}

#[tokio::test]
async fn a_portals_minimum_and_acr_values_are_enforced_with_a_page_that_explains() {
    for app in apps().await {
        let b = browser();
        let url = app.authorize_url(&[("acr_values", STANDARD_ACR)]);
        let mut hop = app.follow(&b, url.clone()).await;
        if let Hop::Page { html, .. } = &hop {
            let resp = app
                .submit(
                    &b,
                    html,
                    &[("login", "+79123456789"), ("password", PASSWORD)],
                )
                .await;
            hop = app.follow(&b, location(&resp)).await;
        }
        let Hop::Page { html, status, .. } = hop else {
            panic!("level page expected")
        };
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Нужен более высокий уровень"), "{html}");
        assert!(html.contains("стандартная") && html.contains("упрощённая"));
        assert!(html.contains("href=\"/cabinet\""));
        let resp = app.submit(&b, &html, &[]).await;
        let back = location(&resp);
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(query_param(&back, "state").as_deref(), Some("st-1"));

        // prompt=none cannot show the page: an error at once.
        let Hop::Left(back) = app
            .follow(
                &b,
                app.authorize_url(&[("acr_values", STANDARD_ACR), ("prompt", "none")]),
            )
            .await
        else {
            panic!()
        };
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("access_denied")
        );

        // Once standard, the same request goes through and the tokens say so.
        app.make_standard().await;
        let back = app.login_and_consent(&b, url, "+79123456789").await;
        let code = query_param(&back, "code").expect("a code now");
        let (status, tokens) = app.exchange(&code).await;
        assert_eq!(status, 200);
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["acr"], STANDARD_ACR);
        assert_eq!(id["trust_level"], "standard");
        assert_eq!(id["identity_confirmed"], false);
    }
}

#[tokio::test]
async fn a_client_minimum_of_confirmed_refuses_a_standard_account() {
    for app in apps().await {
        let mut c = confidential_client(
            &propusk::secret::Secret::from_string(app.secret.clone()),
            app.clock.now(),
        );
        c.id = "pension".into();
        c.min_trust_level = "confirmed".into();
        app.store.insert_client(&c).await.unwrap();
        app.make_standard().await;
        let b = browser();
        let url = app.authorize_url(&[("client_id", "pension")]);
        let hop = app.follow(&b, url).await;
        let Hop::Page { html, .. } = hop else {
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
            panic!()
        };
        assert!(html.contains("подтверждённая"), "{html}");
        assert!(html.contains("центр обслуживания"), "says how to confirm");
    }
}

#[tokio::test]
async fn the_postal_code_confirms_a_standard_account_once() {
    for app in apps().await {
        app.make_standard().await;
        let b = browser();
        app.sign_in(&b, "+79123456789", PASSWORD).await;
        // The operator's side: a code for the letter (what `propusk user postal-code` does).
        let code = issue_postal_code(&app).await;
        let (_, html) = app.page(&b, "/cabinet").await;
        let resp = app
            .submit_to(&b, &html, "/cabinet/postal", &[("code", "12345678")])
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("неверный или устаревший код")
        );
        let resp = app
            .submit_to(&b, &html, "/cabinet/postal", &[("code", &code)])
            .await;
        assert_eq!(location(&resp), "/cabinet?done=confirmed");
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.trust_level, "confirmed");
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "identity_confirmed"));

        // Tokens now say confirmed.
        let code = app.code(&browser(), &[]).await;
        let (_, tokens) = app.exchange(&code).await;
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["acr"], "urn:propusk:loa:confirmed");
        assert_eq!(id["identity_confirmed"], true);

        // New passport data drops the account to simplified until verified again.
        let resp = app
            .submit_personal(&b, &[("passport_number", "654321")])
            .await;
        assert_eq!(location(&resp), "/cabinet?done=personal");
        let a = app.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.trust_level, "simplified");
        let changes = app
            .store
            .audit_for_account("citizen-1", 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "level_changed")
            .count();
        assert_eq!(changes, 3, "standard, confirmed, then simplified");
    }
}

/// Issue a postal code as the CLI does, straight into the store.
async fn issue_postal_code(app: &TestApp) -> String {
    use propusk::authn::codes::OneTimeCode;
    let code = OneTimeCode::generate(8);
    let id = "postal-1".to_owned();
    let now = app.clock.now();
    app.store
        .insert_code_row(&propusk::store::codes::CodeRow {
            id: id.clone(),
            purpose: "postal".into(),
            binding_hash: None,
            account_id: Some("citizen-1".into()),
            channel: "post".into(),
            target: String::new(),
            payload: "{}".into(),
            code_hash: code.hash(&id),
            attempts: 0,
            sends: 1,
            last_sent_at: now,
            created_at: now,
            expires_at: now + 30 * 86_400,
            verified_at: None,
            consumed_at: None,
        })
        .await
        .unwrap();
    code.expose().to_owned()
}
