//! Test harness: a real propusk on 127.0.0.1:0 with a fresh database (SQLite always;
//! PostgreSQL too when PROPUSK_TEST_DATABASE_URL is set), a fixed clock, low Argon2
//! costs, and helpers to drive the hosted pages like a browser without JavaScript.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod db;

use propusk::authn::password::{Argon2Params, Password, PasswordHasher};
use propusk::clock::{Clock, FixedClock, SystemClock};
use propusk::config::Config;
use propusk::secret::Secret;
use propusk::store::Store;
use propusk::store::records::{AccountRecord, ClientRecord};
use reqwest::redirect::Policy;
use std::sync::Arc;

pub const PASSWORD: &str = "Xk7#mQ2$vLp9";
pub const REDIRECT: &str = "https://tax.example/callback";
pub const LOGOUT_REDIRECT: &str = "https://tax.example/logged-out";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub clock: Arc<FixedClock>,
    pub backend: &'static str,
    /// The confidential portal's secret.
    pub secret: String,
    _keys: tempfile::TempDir,
    _db: db::TestDb,
}

/// Low Argon2 costs: the tests exercise the flow, not the hash.
pub fn fast_argon() -> Argon2Params {
    Argon2Params {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    }
}

/// One app per database backend the environment offers.
pub async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in db::databases().await {
        out.push(spawn(db).await);
    }
    out
}

pub async fn spawn(db: db::TestDb) -> TestApp {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let config = Config {
        issuer: format!("http://127.0.0.1:{}", addr.port()),
        listen: addr,
        database_url: db.url.clone(),
        keys_dir: keys.path().to_owned(),
        password_hash: fast_argon(),
        ..Config::default()
    };
    let store = db.store.clone();
    // Start at the real time so an independent RP's expiry checks agree.
    let clock = Arc::new(FixedClock::new(SystemClock.now()));
    let state = propusk::AppState::new(config.clone(), store.clone(), clock.clone()).unwrap();
    let app = propusk::app(state);
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let secret = Secret::generate();
    let t = TestApp {
        base: config.issuer.clone(),
        store,
        clock,
        backend: db.backend,
        secret: secret.expose().to_owned(),
        _keys: keys,
        _db: db,
    };
    t.store
        .insert_client(&confidential_client(&secret, t.clock.now()))
        .await
        .unwrap();
    t.store
        .insert_client(&public_client(t.clock.now()))
        .await
        .unwrap();
    t.store
        .insert_account(&citizen(t.clock.now()).await)
        .await
        .unwrap();
    t
}

pub fn confidential_client(secret: &Secret, now: i64) -> ClientRecord {
    ClientRecord {
        id: "tax".into(),
        secret_hash: Some(secret.hash()),
        name: "ФНС".into(),
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: vec![LOGOUT_REDIRECT.into()],
        scopes: [
            "openid",
            "profile",
            "email",
            "phone",
            "snils",
            "offline_access",
            "api.read",
        ]
        .map(String::from)
        .to_vec(),
        grant_types: ["authorization_code", "refresh_token", "client_credentials"]
            .map(String::from)
            .to_vec(),
        auth_method: "client_secret_basic".into(),
        id_token_alg: "RS256".into(),
        min_trust_level: "simplified".into(),
        created_at: now,
    }
}

pub fn public_client(now: i64) -> ClientRecord {
    ClientRecord {
        id: "mobile".into(),
        secret_hash: None,
        name: "Мобильное приложение".into(),
        redirect_uris: vec!["http://127.0.0.1:7777/cb".into()],
        post_logout_redirect_uris: vec![],
        scopes: ["openid", "profile"].map(String::from).to_vec(),
        grant_types: vec!["authorization_code".into()],
        auth_method: "none".into(),
        id_token_alg: "ES256".into(),
        min_trust_level: "simplified".into(),
        created_at: now,
    }
}

pub async fn citizen(now: i64) -> AccountRecord {
    let hasher = PasswordHasher::new(fast_argon(), 1).unwrap();
    let hash = hasher
        .hash(&Password::new(PASSWORD.to_owned()))
        .await
        .unwrap();
    AccountRecord {
        id: "citizen-1".into(),
        family_name: "Иванов".into(),
        given_name: "Иван".into(),
        middle_name: Some("Иванович".into()),
        phone: Some("+79123456789".into()),
        email: Some("ivanov@example.ru".into()),
        snils: Some("11223344595".into()),
        phone_verified: true,
        email_verified: true,
        password_hash: Some(hash),
        trust_level: "simplified".into(),
        status: "active".into(),
        created_at: now,
        updated_at: now,
    }
}

/// A browser: keeps cookies, does not follow redirects (the tests look at each hop).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub fn location(resp: &reqwest::Response) -> String {
    assert!(
        resp.status().is_redirection(),
        "expected a redirect, got {}",
        resp.status()
    );
    resp.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

/// The value of `<input name="NAME" value="…">` in a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = tag[v..].find('"')?;
    Some(
        tag[v..v + end]
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'"),
    )
}

/// Every `<input type="hidden" name=… value=…>` of a page.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<input type=\"hidden\"") {
        let tag_end = at + rest[at..].find('>').unwrap();
        let tag = &rest[at..tag_end];
        let attr = |name: &str| {
            let start = tag
                .find(&format!("{name}=\""))
                .map(|i| i + name.len() + 2)?;
            let end = tag[start..].find('"')?;
            Some(unescape(&tag[start..start + end]))
        };
        if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
            out.push((n, v));
        }
        rest = &rest[tag_end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `action` of the first form on the page.
pub fn form_action(html: &str) -> String {
    let at = html.find("<form").expect("a form");
    let a = at + html[at..].find("action=\"").unwrap() + 8;
    let end = html[a..].find('"').unwrap();
    html[a..a + end]
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    /// Follow redirects inside propusk until one leaves it (returned) or a page is shown.
    pub async fn follow(&self, b: &reqwest::Client, mut url: String) -> Hop {
        for _ in 0..10 {
            let resp = b.get(self.url(&url)).send().await.unwrap();
            if resp.status().is_redirection() {
                let to = location(&resp);
                if to.starts_with('/') || to.starts_with(&self.base) {
                    url = to;
                    continue;
                }
                return Hop::Left(to);
            }
            let status = resp.status();
            return Hop::Page {
                url,
                status,
                html: resp.text().await.unwrap(),
            };
        }
        panic!("redirect loop");
    }

    /// Submit a page's form with the given fields plus the page's hidden inputs (the
    /// CSRF token among them), as a browser would.
    pub async fn submit(
        &self,
        b: &reqwest::Client,
        html: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        form.extend(hidden_inputs(html));
        b.post(self.url(&form_action(html)))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Log in on the login page and allow on the consent page when asked; returns where
    /// the browser finally leaves propusk for.
    pub async fn login_and_consent(
        &self,
        b: &reqwest::Client,
        start: String,
        login: &str,
    ) -> String {
        let mut hop = self.follow(b, start).await;
        for _ in 0..4 {
            match hop {
                Hop::Left(to) => return to,
                Hop::Page { html, .. } if html.contains("name=\"password\"") => {
                    let resp = self
                        .submit(b, &html, &[("login", login), ("password", PASSWORD)])
                        .await;
                    hop = self.follow(b, location(&resp)).await;
                }
                Hop::Page { html, .. } if html.contains("name=\"decision\"") => {
                    let resp = self.submit(b, &html, &[("decision", "allow")]).await;
                    hop = self.follow(b, location(&resp)).await;
                }
                Hop::Page { status, html, url } => panic!("unexpected page {url} {status}: {html}"),
            }
        }
        panic!("the flow did not finish");
    }
}

pub enum Hop {
    Left(String),
    Page {
        url: String,
        status: reqwest::StatusCode,
        html: String,
    },
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

impl TestApp {
    /// An authorization URL for the confidential portal (PKCE S256) with overrides.
    pub fn authorize_url(&self, extra: &[(&str, &str)]) -> String {
        let mut params: Vec<(&str, &str)> = vec![
            ("client_id", "tax"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "st-1"),
            ("nonce", "n-1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        for (k, v) in extra {
            params.retain(|(pk, _)| pk != k);
            if !v.is_empty() {
                params.push((k, v));
            }
        }
        let mut u = url::Url::parse(&self.url("/authorize")).unwrap();
        u.query_pairs_mut().extend_pairs(params);
        u.to_string()
    }

    /// Log in through the pages and return the authorization code.
    pub async fn code(&self, b: &reqwest::Client, extra: &[(&str, &str)]) -> String {
        let back = self
            .login_and_consent(b, self.authorize_url(extra), "+7 912 345-67-89")
            .await;
        query_param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
    }

    /// POST /token for the confidential portal.
    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let resp = reqwest::Client::new()
            .post(self.url("/token"))
            .basic_auth("tax", Some(&self.secret))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert_eq!(resp.headers()["cache-control"], "no-store");
        (status, resp.json().await.unwrap())
    }

    pub async fn exchange(&self, code: &str) -> (u16, serde_json::Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}
