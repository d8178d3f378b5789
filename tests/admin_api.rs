//! The management API (`/admin/v1`) as an administrator's tool, an operator's desk and
//! an auditor's console would use it: every operation allowed for its role and refused
//! (403, journaled) for another; bad input answered 400/415/422 naming the fields,
//! conflicts 409, unknown ids 404, all as problem+json; the OpenAPI document valid and
//! every route in it answering; and the CLI running the same operations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestApp, apps};
use propusk::clock::Clock as _;
use propusk::oidc::claims::AccessTokenClaims;
use propusk::secret::{Secret, random_id};
use propusk::store::records::{AccessTokenRecord, ClientRecord, GrantRecord, TokenIssue};
use reqwest::Method;
use serde_json::{Value, json};

const ADMIN: &str = "propusk:admin";
const OPERATOR: &str = "propusk:operator";
const AUDITOR: &str = "propusk:auditor";

/// A service account: a confidential client allowed `scopes` by client credentials;
/// returns its token for `scopes`.
async fn service(app: &TestApp, id: &str, scopes: &[&str]) -> String {
    let secret = Secret::generate();
    app.store
        .insert_client(&ClientRecord {
            id: id.into(),
            secret_hash: Some(secret.hash()),
            name: id.into(),
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            grant_types: vec!["client_credentials".into()],
            auth_method: "client_secret_basic".into(),
            id_token_alg: "RS256".into(),
            min_trust_level: "simplified".into(),
            created_at: app.clock.now(),
            settings: Default::default(),
        })
        .await
        .unwrap();
    client_credentials(app, id, secret.expose(), &scopes.join(" ")).await
}

async fn client_credentials(app: &TestApp, id: &str, secret: &str, scope: &str) -> String {
    let mut form = vec![("grant_type", "client_credentials")];
    if !scope.is_empty() {
        form.push(("scope", scope));
    }
    let resp = reqwest::Client::new()
        .post(app.url("/token"))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "[{}] token for {id}", app.backend);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// A citizen's access token carrying `scopes`, minted the way the token endpoint does
/// (so a test can hand a citizen a scope without a console portal; the flow itself is
/// `an_operator_logs_in_to_a_console_portal_through_the_authorization_flow`).
async fn citizen_token(app: &TestApp, account: &str, scopes: &[&str]) -> String {
    let now = app.clock.now();
    let jti = random_id();
    let grant_id = random_id();
    let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    let claims = AccessTokenClaims {
        iss: app.base.clone(),
        sub: account.into(),
        aud: app.base.clone(),
        exp: now + 300,
        iat: now,
        jti: jti.clone(),
        client_id: "tax".into(),
        scope: scopes.join(" "),
        auth_time: Some(now),
        acr: Some("urn:propusk:loa:simplified".into()),
        gty: None,
    };
    let token = app
        .state
        .keys()
        .sign(app.state.config.tokens.access_token_alg, "at+jwt", &claims)
        .unwrap();
    app.store
        .issue_tokens(&TokenIssue {
            grant: Some(GrantRecord {
                id: grant_id.clone(),
                client_id: "tax".into(),
                account_id: Some(account.into()),
                scopes: scopes.clone(),
                created_at: now,
                revoked_at: None,
            }),
            access: AccessTokenRecord {
                jti,
                grant_id: Some(grant_id),
                client_id: "tax".into(),
                account_id: Some(account.into()),
                scopes,
                created_at: now,
                expires_at: now + 300,
                revoked_at: None,
                token_hash: None,
            },
            refresh: None,
        })
        .await
        .unwrap();
    token
}

struct Answer {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

async fn call(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        headers,
        body,
        text,
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    call(app, Some(token), Method::GET, path, None).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Answer {
    call(app, Some(token), Method::POST, path, Some(body)).await
}

/// A problem document with this status, naming these fields.
fn assert_problem(a: &Answer, status: u16, fields: &[&str], what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert_eq!(a.content_type, "application/problem+json", "{what}");
    assert_eq!(a.body["status"], status, "{what}");
    assert!(
        a.body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:propusk:problem:")
    );
    let named: Vec<&str> = a.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in fields {
        assert!(named.contains(f), "{what}: {f} not in {named:?}");
    }
}

/// The caller was refused with 403 and the refusal is in the journal.
async fn assert_denied(app: &TestApp, a: &Answer, actor: &str, operation: &str) {
    assert_problem(a, 403, &[], operation);
    let filter = propusk::store::admin_journal::JournalFilter {
        kind: Some("admin_denied".into()),
        actor: Some(actor.into()),
        ..Default::default()
    };
    let rows = app.store.journal(&filter, 0, 1000).await.unwrap();
    assert!(
        rows.iter().any(|r| r.detail.contains(operation)),
        "[{}] no admin_denied for {actor} {operation}: {rows:?}",
        app.backend
    );
}

async fn kinds_for(app: &TestApp, account: &str) -> Vec<(String, String)> {
    app.store
        .audit_for_account(account, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.kind, r.actor))
        .collect()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_route_in_it_answers() {
    for app in apps().await {
        let admin = service(&app, "root", &[ADMIN]).await;
        // The document needs no token.
        let doc = call(&app, None, Method::GET, "/admin/v1/openapi.json", None).await;
        assert_eq!(doc.status, 200);
        assert!(doc.content_type.starts_with("application/json"));
        let doc = doc.body;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        // Every $ref points at a schema that is there.
        let text = doc.to_string();
        for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &part[..part.find('"').unwrap()];
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
        let clean = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({"id": "doomed", "grant_types": ["client_credentials"], "scopes": ["api.read"]}),
        )
        .await;
        assert_eq!(clean.status, 201, "{}", clean.text);
        let mut calls = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            assert!(path.starts_with("/admin/v1/"), "{path}");
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{method} {path} documents 401 and 403"
                );
                assert!(op["operationId"].is_string(), "{method} {path}");
                let order = ["get", "post", "put", "patch", "delete"]
                    .iter()
                    .position(|m| m == method)
                    .unwrap();
                calls.push((order, method.clone(), path.clone()));
            }
        }
        calls.sort();
        assert!(calls.len() >= 18, "{} operations", calls.len());
        for (_, method, path) in calls {
            let id = if path.starts_with("/admin/v1/clients/") {
                if method == "delete" { "doomed" } else { "tax" }
            } else {
                "citizen-1"
            };
            let concrete = path.replace("{id}", id).replace("{role}", "auditor");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method.as_str(), "post" | "put" | "patch").then(|| json!({}));
            let a = call(&app, Some(&admin), m, &concrete, body).await;
            assert!(
                a.status != 404 && a.status != 405 && a.status < 500,
                "[{}] {method} {concrete}: {} {}",
                app.backend,
                a.status,
                a.text
            );
            assert_eq!(
                a.headers["cache-control"], "no-store",
                "{method} {concrete}"
            );
        }
    }
}

#[tokio::test]
async fn callers_need_a_live_propusk_token_and_a_role() {
    for app in apps().await {
        let none = call(&app, None, Method::GET, "/admin/v1/clients", None).await;
        assert_problem(&none, 401, &[], "no token");
        assert!(
            none.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let forged = get(&app, "eyJhbGciOiJub25lIn0.e30.", "/admin/v1/clients").await;
        assert_problem(&forged, 401, &[], "forged token");

        // A portal's own token (no propusk:* scope) has no role: 403, journaled.
        let portal = client_credentials(&app, "tax", &app.secret, "api.read").await;
        let denied = get(&app, &portal, "/admin/v1/clients").await;
        assert_denied(&app, &denied, "client:tax", "list_clients").await;

        // Revoked or disabled: the token stops working at once.
        let admin = service(&app, "root", &[ADMIN]).await;
        assert_eq!(get(&app, &admin, "/admin/v1/clients").await.status, 200);
        let off = service(&app, "gone", &[ADMIN]).await;
        let r = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/gone",
            Some(json!({"enabled": false})),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_problem(
            &get(&app, &off, "/admin/v1/clients").await,
            401,
            &[],
            "disabled client",
        );
    }
}

#[tokio::test]
async fn administrators_register_change_rotate_and_remove_portals() {
    for app in apps().await {
        let admin = service(&app, "root", &[ADMIN]).await;
        let created = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({
                "id": "pension",
                "name": "СФР",
                "redirect_uris": ["https://pension.example/cb"],
                "post_logout_redirect_uris": ["https://pension.example/bye"],
                "backchannel_logout_uri": "https://pension.example/bc",
                "scopes": ["openid", "snils", "offline_access", "api.read"],
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
                "id_token_alg": "ES256",
                "min_trust_level": "standard",
                "require_second_factor": true,
                "access_token_ttl": 120,
            }),
        )
        .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let c = &created.body["client"];
        assert_eq!(c["auth_method"], "client_secret_basic");
        assert_eq!(c["min_trust_level"], "standard");
        assert_eq!(c["access_token_ttl"], 120);
        assert_eq!(c["enabled"], true);
        let secret = created.body["client_secret"].as_str().unwrap().to_owned();
        // The secret works at the token endpoint, with the portal's own lifetime.
        let t = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("pension", Some(&secret))
            .form(&[("grant_type", "client_credentials"), ("scope", "api.read")])
            .send()
            .await
            .unwrap();
        let t: Value = t.json().await.unwrap();
        assert_eq!(t["expires_in"], 120, "{t}");

        let one = get(&app, &admin, "/admin/v1/clients/pension").await;
        assert_eq!(one.body["name"], "СФР");
        assert!(one.body.get("client_secret").is_none() && !one.text.contains(&secret));
        let all = get(&app, &admin, "/admin/v1/clients").await;
        let ids: Vec<&str> = all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"pension") && ids.contains(&"tax"), "{ids:?}");

        // A patch changes what it names; null clears.
        let changed = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/pension",
            Some(json!({"name": "Социальный фонд", "backchannel_logout_uri": null, "access_token_ttl": null})),
        )
        .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(changed.body["name"], "Социальный фонд");
        assert_eq!(changed.body["backchannel_logout_uri"], Value::Null);
        assert_eq!(changed.body["access_token_ttl"], Value::Null);
        assert_eq!(
            changed.body["redirect_uris"],
            json!(["https://pension.example/cb"])
        );

        // Rotation: the new secret works, the old one no longer does.
        let rotated = post(&app, &admin, "/admin/v1/clients/pension/secret", json!({})).await;
        assert_eq!(rotated.status, 200, "{}", rotated.text);
        let fresh = rotated.body["client_secret"].as_str().unwrap();
        assert_ne!(fresh, secret);
        client_credentials(&app, "pension", fresh, "api.read").await;
        let old = reqwest::Client::new()
            .post(app.url("/token"))
            .basic_auth("pension", Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(old.status(), 401);
        let public = post(&app, &admin, "/admin/v1/clients/mobile/secret", json!({})).await;
        assert_problem(&public, 409, &[], "a public client has no secret");

        // A service account cannot lock itself out.
        let itself = call(
            &app,
            Some(&admin),
            Method::DELETE,
            "/admin/v1/clients/root",
            None,
        )
        .await;
        assert_problem(&itself, 409, &[], "self-removal");
        let itself = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/root",
            Some(json!({"enabled": false})),
        )
        .await;
        assert_problem(&itself, 409, &[], "self-disabling");

        let gone = call(
            &app,
            Some(&admin),
            Method::DELETE,
            "/admin/v1/clients/pension",
            None,
        )
        .await;
        assert_eq!(gone.status, 204);
        assert_problem(
            &get(&app, &admin, "/admin/v1/clients/pension").await,
            404,
            &[],
            "removed",
        );
        let again = call(
            &app,
            Some(&admin),
            Method::DELETE,
            "/admin/v1/clients/pension",
            None,
        )
        .await;
        assert_problem(&again, 404, &[], "removed twice");

        // Every change is journaled with the actor.
        let journal = app
            .store
            .journal(
                &propusk::store::admin_journal::JournalFilter {
                    actor: Some("client:root".into()),
                    ..Default::default()
                },
                0,
                100,
            )
            .await
            .unwrap();
        let kinds: Vec<&str> = journal.iter().map(|r| r.kind.as_str()).collect();
        for k in [
            "client_created",
            "client_updated",
            "client_secret_rotated",
            "client_deleted",
        ] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
    }
}

#[tokio::test]
async fn bad_portal_input_is_named_field_by_field() {
    for app in apps().await {
        let admin = service(&app, "root", &[ADMIN]).await;
        let taken = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({"id": "tax", "redirect_uris": ["https://x.example/cb"]}),
        )
        .await;
        assert_problem(&taken, 409, &["id"], "id taken");

        let bad = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({
                "id": "new portal",
                "redirect_uris": ["http://portal.example/cb", "https://ok.example/cb#frag"],
                "post_logout_redirect_uris": ["https://ok.example/a\u{0}b"],
                "backchannel_logout_uri": "ftp://x",
                "scopes": ["openid", "propusk:root"],
                "public": true,
                "grant_types": ["client_credentials"],
                "access_token_ttl": 86400000,
                "refresh_token_ttl": 0,
            }),
        )
        .await;
        assert_problem(
            &bad,
            422,
            &[
                "id",
                "redirect_uris[0]",
                "redirect_uris[1]",
                "post_logout_redirect_uris[0]",
                "backchannel_logout_uri",
                "scopes[1]",
                "grant_types",
                "access_token_ttl",
                "refresh_token_ttl",
            ],
            "every bad field",
        );
        // Types and closed sets are checked while parsing, naming the path.
        let typed = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({"id": "x", "grant_types": ["implicit"]}),
        )
        .await;
        assert_problem(&typed, 422, &["grant_types[0]"], "unknown grant type");
        let huge = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({"id": "x", "access_token_ttl": 1e30}),
        )
        .await;
        assert_problem(&huge, 422, &["access_token_ttl"], "a number out of range");
        let unknown = post(
            &app,
            &admin,
            "/admin/v1/clients",
            json!({"id": "x", "colour": "red"}),
        )
        .await;
        assert_problem(&unknown, 422, &[], "unknown field");
        assert!(unknown.body["detail"].as_str().unwrap().contains("colour"));
        let missing = post(&app, &admin, "/admin/v1/clients", json!({"name": "x"})).await;
        assert_problem(&missing, 422, &[], "missing id");

        let raw = reqwest::Client::new()
            .post(app.url("/admin/v1/clients"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"id\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status(), 400);
        let form = reqwest::Client::new()
            .post(app.url("/admin/v1/clients"))
            .bearer_auth(&admin)
            .form(&[("id", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 415);
        assert_eq!(form.headers()["content-type"], "application/problem+json");

        let patch = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/tax",
            Some(json!({"redirect_uris": [], "id_token_ttl": -5})),
        )
        .await;
        assert_problem(&patch, 422, &["redirect_uris", "id_token_ttl"], "patch");
        let nobody = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/nobody",
            Some(json!({})),
        )
        .await;
        assert_problem(&nobody, 404, &[], "unknown client");

        // Without the role, the input rules are not even looked at.
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let denied = post(
            &app,
            &operator,
            "/admin/v1/clients",
            json!({"id": "bad id"}),
        )
        .await;
        assert_denied(&app, &denied, "client:desk", "create_client").await;
        for (m, path, op) in [
            (Method::GET, "/admin/v1/clients", "list_clients"),
            (Method::GET, "/admin/v1/clients/tax", "read_client"),
            (Method::PATCH, "/admin/v1/clients/tax", "update_client"),
            (Method::DELETE, "/admin/v1/clients/tax", "delete_client"),
            (
                Method::POST,
                "/admin/v1/clients/tax/secret",
                "rotate_client_secret",
            ),
        ] {
            let a = call(&app, Some(&operator), m, path, Some(json!({}))).await;
            assert_denied(&app, &a, "client:desk", op).await;
        }
    }
}

#[tokio::test]
async fn operators_find_citizens_by_any_identifier_or_name() {
    for app in apps().await {
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let mut second = common::citizen(app.clock.now()).await;
        second.id = "citizen-2".into();
        second.family_name = "Петрова".into();
        second.given_name = "Анна".into();
        second.middle_name = None;
        second.phone = Some("+79990001122".into());
        second.email = Some("petrova@example.ru".into());
        second.snils = None;
        app.store.insert_account(&second).await.unwrap();

        for q in [
            "q=8%20(912)%20345-67-89",
            "q=IVANOV@EXAMPLE.RU",
            "q=112-233-445%2095",
            "q=иванов",
            "q=ИВАН%20ИВАНОВИЧ",
            "phone=9123456789",
            "email=ivanov@example.ru",
            "snils=11223344595",
            "name=Иванов",
        ] {
            let a = get(&app, &operator, &format!("/admin/v1/citizens?{q}")).await;
            assert_eq!(a.status, 200, "{q}: {}", a.text);
            let ids: Vec<&str> = a.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap())
                .collect();
            assert_eq!(ids, vec!["citizen-1"], "[{}] {q}", app.backend);
        }
        let none = get(&app, &operator, "/admin/v1/citizens?name=Сидоров").await;
        assert_eq!(none.body["items"], json!([]));
        let wild = get(&app, &operator, "/admin/v1/citizens?name=%25").await;
        assert_eq!(wild.body["items"], json!([]), "wildcards are literal");

        // Paging: one at a time with the cursor.
        let first = get(&app, &operator, "/admin/v1/citizens?limit=1").await;
        assert_eq!(first.body["items"].as_array().unwrap().len(), 1);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let next = get(
            &app,
            &operator,
            &format!("/admin/v1/citizens?limit=1&cursor={cursor}"),
        )
        .await;
        assert_eq!(next.body["items"].as_array().unwrap().len(), 1);
        assert_ne!(next.body["items"][0]["id"], first.body["items"][0]["id"]);
        assert_eq!(next.body["next_cursor"], Value::Null);

        let bad = get(
            &app,
            &operator,
            "/admin/v1/citizens?limit=500&phone=12&snils=11223344596",
        )
        .await;
        assert_problem(&bad, 422, &["limit", "phone", "snils"], "bad search");

        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.status, 200, "{}", view.text);
        assert_eq!(view.body["trust_level"], "simplified");
        assert_eq!(view.body["factors"]["totp"], false);
        assert_eq!(view.body["lockout"]["failed_logins"], 0);
        assert_eq!(view.body["sessions"], json!([]));
        assert_eq!(view.body["personal_data"], Value::Null);
        assert!(view.body.get("password_hash").is_none() && !view.text.contains("argon2"));
        assert_problem(
            &get(&app, &operator, "/admin/v1/citizens/nobody").await,
            404,
            &[],
            "unknown",
        );

        let auditor = service(&app, "audit", &[AUDITOR]).await;
        let denied = get(&app, &auditor, "/admin/v1/citizens?q=иванов").await;
        assert_denied(&app, &denied, "client:audit", "search_citizens").await;
        let denied = get(&app, &auditor, "/admin/v1/citizens/citizen-1").await;
        assert_denied(&app, &denied, "client:audit", "view_citizen").await;
    }
}

#[tokio::test]
async fn a_blocked_citizen_loses_sessions_and_tokens_until_unblocked() {
    for app in apps().await {
        let b = common::browser();
        let code = app.code(&b, &[]).await;
        let (status, tokens) = app.exchange(&code).await;
        assert_eq!(status, 200);
        let access = tokens["access_token"].as_str().unwrap().to_owned();
        let userinfo = |token: String| {
            let url = app.url("/userinfo");
            async move {
                reqwest::Client::new()
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(userinfo(access.clone()).await, 200);
        let admin = service(&app, "root", &[ADMIN]).await;
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["sessions"].as_array().unwrap().len(), 1);

        let denied = post(
            &app,
            &operator,
            "/admin/v1/citizens/citizen-1/block",
            json!({"reason": "x"}),
        )
        .await;
        assert_denied(&app, &denied, "client:desk", "block_citizen").await;
        let no_reason = post(
            &app,
            &admin,
            "/admin/v1/citizens/citizen-1/block",
            json!({"reason": "  "}),
        )
        .await;
        assert_problem(&no_reason, 422, &["reason"], "reason required");

        let blocked = post(
            &app,
            &admin,
            "/admin/v1/citizens/citizen-1/block",
            json!({"reason": "court order"}),
        )
        .await;
        assert_eq!(blocked.status, 200, "{}", blocked.text);
        assert_eq!(blocked.body["status"], "blocked");
        assert_eq!(blocked.body["sessions_ended"], 1);
        assert_eq!(userinfo(access.clone()).await, 401, "the token is revoked");
        let refreshed = app
            .token(&[
                ("grant_type", "refresh_token"),
                (
                    "refresh_token",
                    tokens["refresh_token"].as_str().unwrap_or("none"),
                ),
            ])
            .await;
        assert_ne!(refreshed.0, 200, "no refresh for a blocked citizen");
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["status"], "blocked");
        assert_eq!(view.body["sessions"], json!([]));
        let again = post(
            &app,
            &admin,
            "/admin/v1/citizens/citizen-1/block",
            json!({"reason": "again"}),
        )
        .await;
        assert_problem(&again, 409, &[], "already blocked");

        let denied = post(
            &app,
            &operator,
            "/admin/v1/citizens/citizen-1/unblock",
            json!({}),
        )
        .await;
        assert_denied(&app, &denied, "client:desk", "unblock_citizen").await;
        let unblocked = post(
            &app,
            &admin,
            "/admin/v1/citizens/citizen-1/unblock",
            json!({}),
        )
        .await;
        assert_eq!(unblocked.body["status"], "active", "{}", unblocked.text);
        let again = post(
            &app,
            &admin,
            "/admin/v1/citizens/citizen-1/unblock",
            json!({}),
        )
        .await;
        assert_problem(&again, 409, &[], "not blocked");
        assert_problem(
            &post(
                &app,
                &admin,
                "/admin/v1/citizens/nobody/block",
                json!({"reason": "x"}),
            )
            .await,
            404,
            &[],
            "unknown citizen",
        );
        // A fresh login works again.
        let b = common::browser();
        let code = app.code(&b, &[]).await;
        assert_eq!(app.exchange(&code).await.0, 200);

        let events = kinds_for(&app, "citizen-1").await;
        assert!(events.contains(&("account_blocked".into(), "client:root".into())));
        assert!(events.contains(&("account_unblocked".into(), "client:root".into())));
    }
}

#[tokio::test]
async fn operators_unlock_reset_factors_and_end_sessions() {
    use propusk::store::lockout::Counter;
    for app in apps().await {
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let auditor = service(&app, "audit", &[AUDITOR]).await;
        let now = app.clock.now();
        for _ in 0..3 {
            app.store
                .reserve_attempt("citizen-1", Counter::Password, 3, now)
                .await
                .unwrap();
        }
        assert!(
            app.store
                .attempt_failed("citizen-1", Counter::Password, 3, 3, 900, now)
                .await
                .unwrap()
        );
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["lockout"]["locked_until"], now + 900);

        let denied = post(
            &app,
            &auditor,
            "/admin/v1/citizens/citizen-1/unlock",
            json!({}),
        )
        .await;
        assert_denied(&app, &denied, "client:audit", "unlock_citizen").await;
        let unlocked = post(
            &app,
            &operator,
            "/admin/v1/citizens/citizen-1/unlock",
            json!({}),
        )
        .await;
        assert_eq!(unlocked.status, 200, "{}", unlocked.text);
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["lockout"]["locked_until"], Value::Null);
        assert_eq!(view.body["lockout"]["failed_logins"], 0);

        // Recovery codes and the "always ask" setting go with a reset.
        let e = propusk::store::audit::AuditEvent::new(
            now,
            "recovery_codes_created",
            "citizen-1",
            "citizen",
            json!({}),
        );
        app.store
            .replace_recovery_codes("citizen-1", &["h1".into(), "h2".into()], &e)
            .await
            .unwrap();
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["factors"]["recovery_codes_left"], 2);
        let denied = post(
            &app,
            &auditor,
            "/admin/v1/citizens/citizen-1/reset-second-factors",
            json!({}),
        )
        .await;
        assert_denied(&app, &denied, "client:audit", "reset_second_factors").await;
        let reset = post(
            &app,
            &operator,
            "/admin/v1/citizens/citizen-1/reset-second-factors",
            json!({}),
        )
        .await;
        assert_eq!(reset.status, 200, "{}", reset.text);
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["factors"]["recovery_codes_left"], 0);

        // Two browsers logged in; both sessions end.
        for _ in 0..2 {
            let b = common::browser();
            app.sign_in(&b, "+79123456789", common::PASSWORD).await;
        }
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(
            view.body["sessions"].as_array().unwrap().len(),
            2,
            "{}",
            view.text
        );
        let denied = post(
            &app,
            &auditor,
            "/admin/v1/citizens/citizen-1/end-sessions",
            json!({}),
        )
        .await;
        assert_denied(&app, &denied, "client:audit", "end_sessions").await;
        let ended = post(
            &app,
            &operator,
            "/admin/v1/citizens/citizen-1/end-sessions",
            json!({}),
        )
        .await;
        assert_eq!(ended.body["sessions_ended"], 2, "{}", ended.text);
        let view = get(&app, &operator, "/admin/v1/citizens/citizen-1").await;
        assert_eq!(view.body["sessions"], json!([]));

        let events = kinds_for(&app, "citizen-1").await;
        for k in ["account_unlocked", "second_factors_reset", "sessions_ended"] {
            assert!(
                events.contains(&(k.into(), "client:desk".into())),
                "{k}: {events:?}"
            );
        }
    }
}

#[tokio::test]
async fn operators_confirm_identities_of_verified_citizens() {
    for app in apps().await {
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let path = "/admin/v1/citizens/citizen-1/confirm-identity";
        let early = post(
            &app,
            &operator,
            path,
            json!({"document": "passport 4510 123456"}),
        )
        .await;
        assert_problem(&early, 409, &[], "simplified");
        assert!(
            early.body["detail"]
                .as_str()
                .unwrap()
                .contains("verified first")
        );
        app.make_standard().await;
        let empty = post(&app, &operator, path, json!({"document": " "})).await;
        assert_problem(&empty, 422, &["document"], "document required");
        let missing = post(&app, &operator, path, json!({})).await;
        assert_problem(&missing, 422, &[], "document missing");
        let auditor = service(&app, "audit", &[AUDITOR]).await;
        let denied = post(
            &app,
            &auditor,
            path,
            json!({"document": "passport 4510 123456"}),
        )
        .await;
        assert_denied(&app, &denied, "client:audit", "confirm_identity").await;

        let done = post(
            &app,
            &operator,
            path,
            json!({"document": "passport 4510 123456"}),
        )
        .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert_eq!(done.body["trust_level"], "confirmed");
        let again = post(
            &app,
            &operator,
            path,
            json!({"document": "passport 4510 123456"}),
        )
        .await;
        assert_problem(&again, 409, &[], "already confirmed");
        let rows = app.store.audit_for_account("citizen-1", 50).await.unwrap();
        let confirmed = rows
            .iter()
            .find(|r| r.kind == "identity_confirmed")
            .unwrap();
        assert_eq!(confirmed.actor, "operator:client:desk");
        assert!(confirmed.detail.contains("passport 4510 123456"));
    }
}

#[tokio::test]
async fn operators_start_access_recovery_to_a_confirmed_contact() {
    for app in apps().await {
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let path = "/admin/v1/citizens/citizen-1/recovery";
        let started = post(&app, &operator, path, json!({})).await;
        assert_eq!(started.status, 202, "{}", started.text);
        assert_eq!(started.body["channel"], "sms");
        assert_eq!(started.body["sent_to"], "+7 912 ***-**-89");
        let sms = app.nth_message_to("+79123456789", 1).await;
        assert!(
            sms.text.contains(&format!("{}/recover", app.base)),
            "{}",
            sms.text
        );
        let by_mail = post(&app, &operator, path, json!({"channel": "email"})).await;
        assert_eq!(by_mail.status, 202);
        assert_eq!(by_mail.body["sent_to"], "i***@example.ru");
        app.nth_message_to("ivanov@example.ru", 1).await;
        let odd = post(&app, &operator, path, json!({"channel": "pigeon"})).await;
        assert_problem(&odd, 422, &["channel"], "unknown channel");

        let auditor = service(&app, "audit", &[AUDITOR]).await;
        let denied = post(&app, &auditor, path, json!({})).await;
        assert_denied(&app, &denied, "client:audit", "start_recovery").await;
        assert!(
            kinds_for(&app, "citizen-1")
                .await
                .contains(&("recovery_started".into(), "client:desk".into()))
        );

        // Nobody to send to: a conflict, not a silent success.
        let mut mute = common::citizen(app.clock.now()).await;
        mute.id = "mute".into();
        mute.phone = Some("+79990001122".into());
        mute.phone_verified = false;
        mute.email = None;
        mute.snils = None;
        app.store.insert_account(&mute).await.unwrap();
        let none = post(
            &app,
            &operator,
            "/admin/v1/citizens/mute/recovery",
            json!({}),
        )
        .await;
        assert_problem(&none, 409, &[], "no confirmed contact");
    }
}

#[tokio::test]
async fn a_citizen_acts_only_with_a_held_role_and_its_scope() {
    for app in apps().await {
        let admin = service(&app, "root", &[ADMIN]).await;
        let with_scope = citizen_token(&app, "citizen-1", &["openid", OPERATOR]).await;
        // The scope alone is not enough: the account must hold the role.
        let denied = get(&app, &with_scope, "/admin/v1/citizens?q=иванов").await;
        assert_denied(&app, &denied, "account:citizen-1", "search_citizens").await;

        let granted = call(
            &app,
            Some(&admin),
            Method::PUT,
            "/admin/v1/citizens/citizen-1/roles/operator",
            None,
        )
        .await;
        assert_eq!(granted.status, 200, "{}", granted.text);
        assert_eq!(granted.body["roles"], json!(["operator"]));
        let bogus = call(
            &app,
            Some(&admin),
            Method::PUT,
            "/admin/v1/citizens/citizen-1/roles/root",
            None,
        )
        .await;
        assert_problem(&bogus, 404, &[], "unknown role");
        assert_eq!(
            get(&app, &with_scope, "/admin/v1/citizens?q=иванов")
                .await
                .status,
            200
        );
        // The role alone is not enough either: the token must carry its scope.
        let plain = citizen_token(&app, "citizen-1", &["openid"]).await;
        let denied = get(&app, &plain, "/admin/v1/citizens?q=иванов").await;
        assert_denied(&app, &denied, "account:citizen-1", "search_citizens").await;
        // An operator role does not reach the admin's operations.
        let denied = get(&app, &with_scope, "/admin/v1/clients").await;
        assert_denied(&app, &denied, "account:citizen-1", "list_clients").await;

        let operator = service(&app, "desk", &[OPERATOR]).await;
        let denied = call(
            &app,
            Some(&operator),
            Method::PUT,
            "/admin/v1/citizens/citizen-1/roles/admin",
            None,
        )
        .await;
        assert_denied(&app, &denied, "client:desk", "grant_role").await;
        let revoked = call(
            &app,
            Some(&admin),
            Method::DELETE,
            "/admin/v1/citizens/citizen-1/roles/operator",
            None,
        )
        .await;
        assert_eq!(revoked.body["roles"], json!([]), "{}", revoked.text);
        let again = call(
            &app,
            Some(&admin),
            Method::DELETE,
            "/admin/v1/citizens/citizen-1/roles/operator",
            None,
        )
        .await;
        assert_problem(&again, 404, &[], "not held");
        assert_eq!(
            get(&app, &with_scope, "/admin/v1/citizens?q=иванов")
                .await
                .status,
            403
        );
    }
}

/// An administrator's console is a portal registered for a role scope: a citizen who
/// holds the role logs in through the ordinary authorization flow and its token works
/// at `/admin/v1`; a citizen without the role gets a token without the scope.
#[tokio::test]
async fn an_operator_logs_in_to_a_console_portal_through_the_authorization_flow() {
    for app in apps().await {
        let admin = service(&app, "root", &[ADMIN]).await;
        let console = call(
            &app,
            Some(&admin),
            Method::PATCH,
            "/admin/v1/clients/tax",
            Some(json!({"scopes": ["openid", "email", OPERATOR]})),
        )
        .await;
        assert_eq!(console.status, 200, "{}", console.text);
        let scope = [("scope", "openid propusk:operator")];

        // Not holding the role: the scope is dropped from the code, the token has no power.
        let b = common::browser();
        let (status, body) = app.exchange(&app.code(&b, &scope).await).await;
        assert_eq!(status, 200, "[{}] {body}", app.backend);
        assert_eq!(body["scope"], "openid", "[{}]", app.backend);
        let token = body["access_token"].as_str().unwrap();
        let denied = get(&app, token, "/admin/v1/citizens?q=иванов").await;
        assert_denied(&app, &denied, "account:citizen-1", "search_citizens").await;

        // Holding it: the consent page names the role and the token carries it.
        let granted = call(
            &app,
            Some(&admin),
            Method::PUT,
            "/admin/v1/citizens/citizen-1/roles/operator",
            None,
        )
        .await;
        assert_eq!(granted.status, 200, "{}", granted.text);
        let b = common::browser();
        let mut hop = app.follow(&b, app.authorize_url(&scope)).await;
        let mut saw_role = false;
        let back = loop {
            match hop {
                common::Hop::Left(to) => break to,
                common::Hop::Page { html, .. } if html.contains("name=\"password\"") => {
                    let resp = app
                        .submit(
                            &b,
                            &html,
                            &[("login", "+79123456789"), ("password", common::PASSWORD)],
                        )
                        .await;
                    hop = app.follow(&b, common::location(&resp)).await;
                }
                common::Hop::Page { html, .. } if html.contains("name=\"decision\"") => {
                    saw_role = html.contains("оператора");
                    let resp = app.submit(&b, &html, &[("decision", "allow")]).await;
                    hop = app.follow(&b, common::location(&resp)).await;
                }
                common::Hop::Page { status, html, url } => panic!("{url} {status}: {html}"),
            }
        };
        assert!(
            saw_role,
            "[{}] the consent page names the role",
            app.backend
        );
        let code = common::query_param(&back, "code").unwrap();
        let (status, body) = app.exchange(&code).await;
        assert_eq!(status, 200, "[{}] {body}", app.backend);
        assert_eq!(
            body["scope"], "openid propusk:operator",
            "[{}]",
            app.backend
        );
        let token = body["access_token"].as_str().unwrap();
        let found = get(&app, token, "/admin/v1/citizens?q=иванов").await;
        assert_eq!(found.status, 200, "[{}] {}", app.backend, found.text);
        // An operator's token still does not reach the administrator's operations.
        let denied = get(&app, token, "/admin/v1/clients").await;
        assert_denied(&app, &denied, "account:citizen-1", "list_clients").await;
    }
}

#[tokio::test]
async fn auditors_page_through_and_export_the_journal() {
    for app in apps().await {
        let operator = service(&app, "desk", &[OPERATOR]).await;
        let auditor = service(&app, "audit", &[AUDITOR]).await;
        for _ in 0..3 {
            post(
                &app,
                &operator,
                "/admin/v1/citizens/citizen-1/unlock",
                json!({}),
            )
            .await;
        }
        let denied = get(&app, &operator, "/admin/v1/journal").await;
        assert_denied(&app, &denied, "client:desk", "read_journal").await;
        let denied = get(&app, &operator, "/admin/v1/journal/export").await;
        assert_denied(&app, &denied, "client:desk", "export_journal").await;

        let page = get(
            &app,
            &auditor,
            "/admin/v1/journal?account=citizen-1&kind=account_unlocked&actor=client:desk&limit=2",
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items[0]["id"].as_i64() < items[1]["id"].as_i64(),
            "oldest first"
        );
        assert_eq!(
            items[0]["detail"]["before"]["failed_logins"], 0,
            "detail is JSON"
        );
        let cursor = page.body["next_cursor"].as_str().unwrap();
        let rest = get(
            &app,
            &auditor,
            &format!(
                "/admin/v1/journal?account=citizen-1&kind=account_unlocked&limit=2&cursor={cursor}"
            ),
        )
        .await;
        assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest.body["next_cursor"], Value::Null);

        let now = app.clock.now();
        let window = get(
            &app,
            &auditor,
            &format!(
                "/admin/v1/journal?kind=account_unlocked&from={now}&to={}",
                now + 1
            ),
        )
        .await;
        assert_eq!(window.body["items"].as_array().unwrap().len(), 3);
        let later = get(
            &app,
            &auditor,
            &format!("/admin/v1/journal?kind=account_unlocked&from={}", now + 1),
        )
        .await;
        assert_eq!(later.body["items"], json!([]));
        let bad = get(
            &app,
            &auditor,
            "/admin/v1/journal?from=yesterday&limit=0&cursor=-3",
        )
        .await;
        assert_problem(&bad, 422, &["from", "limit", "cursor"], "bad journal query");

        let export = get(
            &app,
            &auditor,
            "/admin/v1/journal/export?kind=account_unlocked",
        )
        .await;
        assert_eq!(export.status, 200);
        assert_eq!(export.content_type, "application/x-ndjson");
        let lines: Vec<Value> = export
            .text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l["actor"] == "client:desk"));
        let everything = get(&app, &auditor, "/admin/v1/journal/export").await;
        assert!(everything.text.lines().count() >= 5, "{}", everything.text);
    }
}

/// The CLI runs the same operations against the configured database.
#[tokio::test]
async fn the_cli_uses_the_same_operations() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_propusk"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("PROPUSK_TEST_DATABASE_URL")
            .env(
                "PROPUSK_DATABASE_URL",
                format!("sqlite://{}/db/propusk.db", dir.path().display()),
            )
            .env("PROPUSK_KEYS_DIR", dir.path().join("keys"))
            .env(
                "PROPUSK_NOTIFY__OUTBOX_FILE",
                dir.path().join("outbox.jsonl"),
            )
            .env("PROPUSK_PASSWORD_HASH__MEMORY_KIB", "256")
            .env("PROPUSK_PASSWORD_HASH__ITERATIONS", "1")
            .env("USER", "ivanova")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    // A service account needs no redirect URI.
    let (ok, text) = run(&[
        "client",
        "add",
        "--id",
        "ops",
        "--scope",
        "propusk:admin",
        "--grant-type",
        "client_credentials",
    ]);
    assert!(ok, "{text}");
    assert!(text.contains("client_secret:"));
    let (ok, text) = run(&[
        "client",
        "add",
        "--id",
        "x",
        "--scope",
        "propusk:root",
        "--grant-type",
        "client_credentials",
        "--access-token-ttl",
        "99999999",
    ]);
    assert!(!ok);
    assert!(
        text.contains("--scope") && text.contains("--access-token-ttl"),
        "{text}"
    );
    let (ok, text) = run(&[
        "client",
        "update",
        "ops",
        "--name",
        "Операторы",
        "--enabled",
        "false",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("\"enabled\": false") && text.contains("Операторы"),
        "{text}"
    );
    let (ok, text) = run(&["client", "rotate-secret", "ops"]);
    assert!(ok && text.contains("client_secret:"), "{text}");
    let (ok, text) = run(&["client", "show", "nobody"]);
    assert!(!ok && text.contains("not registered"), "{text}");

    let store =
        propusk::store::Store::connect(&format!("sqlite://{}/db/propusk.db", dir.path().display()))
            .await
            .unwrap();
    store
        .insert_account(&common::citizen(1).await)
        .await
        .unwrap();
    let (ok, text) = run(&["user", "search", "иванов"]);
    assert!(ok && text.contains("citizen-1"), "{text}");
    let (ok, text) = run(&[
        "user",
        "block",
        "--login",
        "+7 912 345 67 89",
        "--reason",
        "test",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = run(&["user", "block", "--id", "citizen-1", "--reason", "test"]);
    assert!(!ok && text.contains("already blocked"), "{text}");
    let (ok, text) = run(&["user", "unblock", "--id", "citizen-1"]);
    assert!(ok, "{text}");
    let (ok, text) = run(&[
        "user",
        "grant-role",
        "--id",
        "citizen-1",
        "--role",
        "auditor",
    ]);
    assert!(ok && text.contains("auditor"), "{text}");
    let (ok, text) = run(&["user", "recover", "--id", "citizen-1"]);
    assert!(ok && text.contains("+7 912 ***-**-89"), "{text}");
    let outbox = std::fs::read_to_string(dir.path().join("outbox.jsonl")).unwrap();
    assert!(
        outbox.contains("/recover"),
        "sent before the command returned"
    );
    let (ok, text) = run(&["user", "show", "--id", "citizen-1"]);
    assert!(
        ok && text.contains("\"roles\": [\n    \"auditor\""),
        "{text}"
    );

    let (ok, text) = run(&[
        "audit",
        "list",
        "--actor",
        "cli:ivanova",
        "--kind",
        "account_blocked",
    ]);
    assert!(
        ok && text.contains("account_blocked") && text.contains("citizen-1"),
        "{text}"
    );
    let (ok, text) = run(&["audit", "export", "--account", "citizen-1"]);
    assert!(ok, "{text}");
    let kinds: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for k in [
        "account_blocked",
        "account_unblocked",
        "role_granted",
        "recovery_started",
    ] {
        assert!(kinds.contains(&k.to_owned()), "{k} in {kinds:?}");
    }
    let (ok, text) = run(&["audit", "list", "--limit", "1000"]);
    assert!(!ok && text.contains("--limit"), "{text}");
}
