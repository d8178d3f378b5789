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
    /// The server's state (to run the verification worker's due jobs in a test).
    pub state: propusk::AppState,
    /// The dev outbox every SMS and e-mail lands in.
    pub outbox: std::path::PathBuf,
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

/// One app per database backend, each with its config adjusted by `tweak`.
pub async fn apps_with(tweak: impl Fn(&mut Config)) -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in db::databases().await {
        out.push(spawn_with(db, &tweak).await);
    }
    out
}

pub async fn spawn(db: db::TestDb) -> TestApp {
    spawn_with(db, &|_: &mut Config| {}).await
}

pub async fn spawn_with(db: db::TestDb, tweak: &dyn Fn(&mut Config)) -> TestApp {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let outbox = keys.path().join("outbox.jsonl");
    let mut config = Config {
        issuer: format!("http://127.0.0.1:{}", addr.port()),
        listen: addr,
        database_url: db.url.clone(),
        keys_dir: keys.path().to_owned(),
        password_hash: fast_argon(),
        ..Config::default()
    };
    config.notify.outbox_file = outbox.clone();
    tweak(&mut config);
    let store = db.store.clone();
    // Start at the real time so an independent RP's expiry checks agree.
    let clock = Arc::new(FixedClock::new(SystemClock.now()));
    let state = propusk::AppState::new(config.clone(), store.clone(), clock.clone()).unwrap();
    let app = propusk::app(state.clone());
    tokio::spawn(async move {
        // Connect info: the certificate login trusts a proxy header only from a
        // configured address.
        axum::serve(listener, propusk::http::with_peer(app))
            .await
            .unwrap();
    });
    let secret = Secret::generate();
    let t = TestApp {
        base: config.issuer.clone(),
        store,
        state,
        outbox,
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
        settings: Default::default(),
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
        settings: Default::default(),
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
        // The first form's own hidden inputs, as a browser submits one form.
        let first = html.find("<form").expect("a form");
        let end = first + html[first..].find("</form>").unwrap_or(html.len() - first);
        form.extend(hidden_inputs(&html[first..end]));
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

/// One message of the dev outbox.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Sent {
    pub channel: String,
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl TestApp {
    /// Every message in the outbox so far.
    pub fn sent(&self) -> Vec<Sent> {
        std::fs::read_to_string(&self.outbox)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Wait (messages are delivered in the background) until `n` messages went to `to`,
    /// and return the last one.
    pub async fn nth_message_to(&self, to: &str, n: usize) -> Sent {
        for _ in 0..200 {
            let mine: Vec<Sent> = self.sent().into_iter().filter(|m| m.to == to).collect();
            if mine.len() >= n {
                return mine[n - 1].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no message #{n} to {to}; outbox: {:?}", self.sent());
    }

    /// Messages are dispatched in the background: give them time to land, then count.
    pub async fn settled_count_to(&self, to: &str) -> usize {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        self.sent().iter().filter(|m| m.to == to).count()
    }

    /// Run the verification jobs that are due now (the worker's job, done on demand).
    pub async fn run_jobs(&self) -> usize {
        propusk::verify::runner::run_due(&self.state).await.unwrap()
    }

    /// Log in on /signin (outside any portal's flow) as the seeded citizen.
    pub async fn sign_in(
        &self,
        b: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        let html = b
            .get(self.url("/signin"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        self.submit(b, &html, &[("login", login), ("password", password)])
            .await
    }

    pub async fn page(&self, b: &reqwest::Client, path: &str) -> (reqwest::StatusCode, String) {
        let resp = b.get(self.url(path)).send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }
}

/// The first run of `n` consecutive digits in a text (a code in a message).
pub fn digits_in(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == n {
                return chars[start..i].iter().collect();
            }
        } else {
            i += 1;
        }
    }
    panic!("no {n}-digit code in {text:?}");
}

impl TestApp {
    /// Submit the form whose action is `action` (pages like the cabinet have several),
    /// with that form's own hidden inputs.
    pub async fn submit_to(
        &self,
        b: &reqwest::Client,
        html: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let at = html
            .find(&format!("action=\"{action}\""))
            .unwrap_or_else(|| panic!("no form posting to {action}"));
        let start = html[..at].rfind("<form").unwrap();
        let end = at + html[at..].find("</form>").unwrap();
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        form.extend(hidden_inputs(&html[start..end]));
        b.post(self.url(action)).form(&form).send().await.unwrap()
    }
}

/// The payload of a JWT, unverified (signatures are checked in oidc_flow.rs).
pub fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The personal-data form of a valid adult with the seeded citizen's SNILS.
pub fn personal_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("birth_date", "1985-04-12"),
        ("gender", "male"),
        ("passport_series", "4510"),
        ("passport_number", "123456"),
        ("passport_issued", "2005-05-20"),
        ("passport_issuer", "ОВД Тверского района г. Москвы"),
        ("passport_issuer_code", "770-001"),
        ("snils", "112-233-445 95"),
        ("inn", "500100732259"),
    ]
}

impl TestApp {
    /// Sign the seeded citizen in on `b` and submit the personal-data form with
    /// `overrides`; returns the response.
    pub async fn submit_personal(
        &self,
        b: &reqwest::Client,
        overrides: &[(&'static str, &'static str)],
    ) -> reqwest::Response {
        let (status, html) = self.page(b, "/cabinet").await;
        let html = if status == reqwest::StatusCode::OK && html.contains("/signout") {
            html
        } else {
            self.sign_in(b, "+79123456789", PASSWORD).await;
            self.page(b, "/cabinet").await.1
        };
        let mut fields = personal_form();
        for (k, v) in overrides {
            fields.retain(|(fk, _)| fk != k);
            fields.push((k, v));
        }
        self.submit_to(b, &html, "/cabinet/personal", &fields).await
    }

    /// Personal data submitted and verified: the seeded citizen becomes standard.
    pub async fn make_standard(&self) {
        let b = browser();
        let resp = self.submit_personal(&b, &[]).await;
        assert_eq!(location(&resp), "/cabinet?done=personal");
        assert_eq!(self.run_jobs().await, 1);
        let a = self.store.account("citizen-1").await.unwrap().unwrap();
        assert_eq!(a.trust_level, "standard");
    }
}
