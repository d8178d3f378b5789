//! ESIA-style scopes end to end: a portal registered for them asks for
//! `fullname birthdate gender snils inn id_doc contacts`, the consent page names each in
//! Russian, and userinfo releases the document claims only once the citizen's personal
//! data is verified. Runs on SQLite and, when configured, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::account::{Gender, Passport, PersonalData};
use propusk::clock::Clock as _;
use propusk::secret::Secret;
use propusk::store::jobs::{JobEnd, JobRow};
use propusk::store::personal::{Submission, Submitted};
use propusk::store::records::ClientRecord;
use serde_json::{Value, json};

const CLIENT: &str = "gosuslugi-portal";
const ESIA_SCOPES: &str = "openid fullname birthdate gender snils inn id_doc contacts";
const DOCUMENT_CLAIMS: [&str; 4] = ["birthdate", "gender", "inn", "id_doc"];

#[tokio::test]
async fn esia_scopes_release_documents_only_once_verified() {
    for app in apps().await {
        esia_scopes(&app).await;
    }
}

async fn esia_scopes(app: &TestApp) {
    let secret = Secret::generate();
    app.store
        .insert_client(&esia_client(&secret, app.clock.now()))
        .await
        .unwrap();
    let b = browser();

    // Log in, then look at the consent page before allowing.
    let Hop::Page { html, .. } = app.follow(&b, authorize_url(app)).await else {
        panic!("[{}] expected the login page", app.backend);
    };
    let resp = app
        .submit(
            &b,
            &html,
            &[("login", "+7 912 345-67-89"), ("password", PASSWORD)],
        )
        .await;
    let Hop::Page { html, .. } = app.follow(&b, location(&resp)).await else {
        panic!("[{}] expected the consent page", app.backend);
    };
    assert!(
        html.contains("name=\"decision\""),
        "[{}] {html}",
        app.backend
    );
    for described in [
        "Паспорт гражданина РФ (серия, номер, дата и место выдачи)",
        "Дата рождения",
        "ИНН",
        "Контакты: телефон и электронная почта",
    ] {
        assert!(
            html.contains(described),
            "[{}] consent page lacks {described}: {html}",
            app.backend
        );
    }
    let resp = app.submit(&b, &html, &[("decision", "allow")]).await;
    let Hop::Left(back) = app.follow(&b, location(&resp)).await else {
        panic!("[{}] expected the way back to the portal", app.backend);
    };
    let code = query_param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"));
    let token = exchange(app, &secret, &code).await;

    // (a) No personal data yet: the account's own claims, no document claims.
    let info = userinfo(app, &token).await;
    assert_eq!(info["sub"], "citizen-1");
    assert_eq!(info["name"], "Иванов Иван Иванович");
    assert_eq!(info["middle_name"], "Иванович");
    assert_eq!(info["snils"], "112-233-445 95");
    assert_eq!(info["email"], "ivanov@example.ru");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["phone_number"], "+79123456789");
    assert_eq!(info["phone_number_verified"], true);
    assert!(info.get("trust_level").is_none(), "profile was not asked");
    assert_no_documents(app, &info, "without personal data");

    // Submitted but not yet verified: still nothing.
    let job = submit_personal_data(app).await;
    let info = userinfo(app, &token).await;
    assert_no_documents(app, &info, "while verification is pending");

    // (b) Verified: every document claim, read at userinfo time.
    app.store
        .finish_job(&job, &JobEnd::Accepted, &[], app.clock.now())
        .await
        .unwrap();
    let info = userinfo(app, &token).await;
    assert_eq!(info["birthdate"], "1985-04-12", "[{}]", app.backend);
    assert_eq!(info["gender"], "male");
    assert_eq!(info["inn"], "500100732259");
    assert_eq!(
        info["id_doc"],
        json!({
            "type": "RF_PASSPORT",
            "series": "4510",
            "number": "123456",
            "issue_date": "2005-05-20",
            "issued_by": "ОВД Тверского района г. Москвы",
            "issuer_code": "770-001",
        }),
        "[{}]",
        app.backend
    );
    assert_eq!(info["snils"], "112-233-445 95");
}

fn assert_no_documents(app: &TestApp, info: &Value, when: &str) {
    for claim in DOCUMENT_CLAIMS {
        assert!(
            info.get(claim).is_none(),
            "[{}] {claim} released {when}: {info}",
            app.backend
        );
    }
}

/// A portal registered for every ESIA scope.
fn esia_client(secret: &Secret, now: i64) -> ClientRecord {
    ClientRecord {
        id: CLIENT.into(),
        secret_hash: Some(secret.hash()),
        name: "Портал госуслуг региона".into(),
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![],
        scopes: [
            "openid",
            "fullname",
            "birthdate",
            "gender",
            "snils",
            "inn",
            "id_doc",
            "email",
            "mobile",
            "contacts",
        ]
        .map(String::from)
        .to_vec(),
        grant_types: vec!["authorization_code".into()],
        auth_method: "client_secret_basic".into(),
        id_token_alg: "ES256".into(),
        min_trust_level: "simplified".into(),
        created_at: now,
        settings: Default::default(),
    }
}

fn authorize_url(app: &TestApp) -> String {
    let mut u = url::Url::parse(&app.url("/authorize")).unwrap();
    u.query_pairs_mut().extend_pairs([
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", ESIA_SCOPES),
        ("state", "st-esia"),
        ("nonce", "n-esia"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]);
    u.to_string()
}

async fn exchange(app: &TestApp, secret: &Secret, code: &str) -> String {
    let resp = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(CLIENT, Some(secret.expose()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "[{}] token", app.backend);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["scope"], ESIA_SCOPES,
        "[{}] every scope granted",
        app.backend
    );
    body["access_token"].as_str().unwrap().to_owned()
}

async fn userinfo(app: &TestApp, token: &str) -> Value {
    let resp = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "[{}] userinfo", app.backend);
    resp.json().await.unwrap()
}

/// Queue the citizen's personal data for verification, as the cabinet does.
async fn submit_personal_data(app: &TestApp) -> JobRow {
    let now = app.clock.now();
    let data = PersonalData {
        birth_date: "1985-04-12".into(),
        gender: Gender::Male,
        passport: Passport {
            series: "4510".into(),
            number: "123456".into(),
            issued: "2005-05-20".into(),
            issuer: "ОВД Тверского района г. Москвы".into(),
            issuer_code: Some("770-001".into()),
        },
        snils: "11223344595".into(),
        inn: Some("500100732259".into()),
    };
    let job = JobRow {
        id: propusk::secret::random_id(),
        account_id: "citizen-1".into(),
        payload: "{}".into(),
        status: "queued".into(),
        attempts: 0,
        run_after: now,
        locked_until: None,
        created_at: now,
        finished_at: None,
    };
    let submitted = app
        .store
        .submit_personal_data(&Submission {
            account_id: "citizen-1",
            data: &data,
            new_level: None,
            job: &job,
            events: &[],
            now,
        })
        .await
        .unwrap();
    assert_eq!(submitted, Submitted::Queued);
    job
}
