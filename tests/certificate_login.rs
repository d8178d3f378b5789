//! Login with a qualified electronic signature: a test CA and citizen certificates
//! carrying SNILS/INN/OGRN (rcgen), over real mutual TLS and through a trusted proxy's
//! header; every refusal with its message; a revoked certificate refused via the CRL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use propusk::config::Config;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    CustomExtension, DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevocationReason, RevokedCertParams, SerialNumber,
};
use reqwest::StatusCode;

type Ca = CertifiedIssuer<'static, KeyPair>;

fn new_ca(name: &str) -> Ca {
    let mut p = CertificateParams::new(vec![]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
}

fn utf8(s: &str) -> Vec<u8> {
    let mut v = vec![0x0c, u8::try_from(s.len()).unwrap()];
    v.extend_from_slice(s.as_bytes());
    v
}

struct Spec {
    serial: u64,
    snils: Option<&'static str>,
    qualified: bool,
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
    eku: ExtendedKeyUsagePurpose,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            serial: 1,
            snils: Some("11223344595"),
            qualified: true,
            not_before: (2024, 1, 1),
            not_after: (2035, 1, 1),
            eku: ExtendedKeyUsagePurpose::ClientAuth,
        }
    }
}

/// A citizen's certificate as Russian qualified CAs issue them: name, SNILS, INN, OGRN in
/// the subject, signing key usage, clientAuth, the sign-tool extensions.
fn holder(ca: &Ca, s: Spec) -> (String, String) {
    let mut p = CertificateParams::new(vec![]).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "Иванов Иван Иванович");
    if let Some(snils) = s.snils {
        p.distinguished_name
            .push(DnType::CustomDnType(vec![1, 2, 643, 100, 3]), snils);
    }
    p.distinguished_name.push(
        DnType::CustomDnType(vec![1, 2, 643, 3, 131, 1, 1]),
        "500100732259",
    );
    p.distinguished_name.push(
        DnType::CustomDnType(vec![1, 2, 643, 100, 1]),
        "1027700132195",
    );
    p.serial_number = Some(SerialNumber::from(s.serial));
    p.not_before = rcgen::date_time_ymd(s.not_before.0, s.not_before.1, s.not_before.2);
    p.not_after = rcgen::date_time_ymd(s.not_after.0, s.not_after.1, s.not_after.2);
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    p.extended_key_usages = vec![s.eku];
    if s.qualified {
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 2, 643, 100, 111],
            utf8("КриптоПро CSP"),
        ));
        let mut seq = vec![0x30];
        let inner = utf8("КриптоПро УЦ");
        seq.push(u8::try_from(inner.len()).unwrap());
        seq.extend(inner);
        p.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 2, 643, 100, 112],
            seq,
        ));
    }
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, ca).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// propusk with certificate login on, trusting `ca`, its CRL revoking serial 7.
async fn apps_trusting(ca: &Ca, trusted_proxy: &'static str) -> (Vec<TestApp>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("client-ca.pem");
    std::fs::write(&trust, ca.pem()).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let crl = CertificateRevocationListParams {
        this_update: now - time::Duration::days(1),
        next_update: now + time::Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(7u64),
            revocation_time: now - time::Duration::hours(1),
            reason_code: Some(RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(ca)
    .unwrap();
    let crl_file = dir.path().join("ca.crl");
    std::fs::write(&crl_file, crl.der()).unwrap();
    let apps = apps_with(|c: &mut Config| {
        c.certificate_login.enabled = true;
        c.certificate_login.trust_store = trust.clone();
        c.certificate_login.crl_files = vec![crl_file.clone()];
        c.certificate_login.trusted_proxies = vec![trusted_proxy.parse().unwrap()];
    })
    .await;
    for app in &apps {
        let certs = app.state.certs.as_ref().unwrap();
        assert_eq!(
            certs
                .crls
                .reload(std::slice::from_ref(&crl_file), &[])
                .await
                .unwrap(),
            1
        );
    }
    (apps, dir)
}

fn header_value(pem: &str) -> String {
    percent_encoding::utf8_percent_encode(pem, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Start a login at the portal and present `pem` through the proxy header; returns the
/// response of the certificate endpoint.
async fn present(app: &TestApp, b: &reqwest::Client, pem: Option<&str>) -> reqwest::Response {
    let Hop::Page { url, html, .. } = app.follow(b, app.authorize_url(&[])).await else {
        panic!("login page expected")
    };
    assert!(
        html.contains("id=\"certificate-login\""),
        "the login page offers the signature"
    );
    let mut req = b.get(app.url(&format!("{url}/certificate")));
    if let Some(p) = pem {
        req = req.header("X-SSL-Client-Cert", header_value(p));
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn each_refusal_names_its_reason() {
    let ca = new_ca("Тестовый УЦ");
    let stranger = new_ca("Чужой УЦ");
    let (apps, _dir) = apps_trusting(&ca, "127.0.0.1").await;
    let cases: Vec<(&str, Option<String>, StatusCode)> = vec![
        ("certificate_not_found", None, StatusCode::UNAUTHORIZED),
        (
            "certificate_expired",
            Some(
                holder(
                    &ca,
                    Spec {
                        not_before: (2020, 1, 1),
                        not_after: (2021, 1, 1),
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "certificate_not_yet_valid",
            Some(
                holder(
                    &ca,
                    Spec {
                        not_before: (2099, 1, 1),
                        not_after: (2100, 1, 1),
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "certificate_untrusted",
            Some(holder(&stranger, Spec::default()).0),
            StatusCode::FORBIDDEN,
        ),
        (
            "certificate_revoked",
            Some(
                holder(
                    &ca,
                    Spec {
                        serial: 7,
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "certificate_key_usage",
            Some(
                holder(
                    &ca,
                    Spec {
                        eku: ExtendedKeyUsagePurpose::ServerAuth,
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "certificate_without_snils",
            Some(
                holder(
                    &ca,
                    Spec {
                        snils: None,
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::FORBIDDEN,
        ),
        (
            "no_account_for_snils",
            Some(
                holder(
                    &ca,
                    Spec {
                        snils: Some("12345678964"),
                        ..Spec::default()
                    },
                )
                .0,
            ),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for app in &apps {
        for (code, pem, status) in &cases {
            let resp = present(app, &browser(), pem.as_deref()).await;
            assert_eq!(resp.status(), *status, "{code} on {}", app.backend);
            let body = resp.text().await.unwrap();
            assert!(body.contains(code), "{code}: {body}");
            assert!(
                body.contains("Вход по электронной подписи невозможен"),
                "{code}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn the_proxy_header_counts_only_from_a_trusted_proxy() {
    let ca = new_ca("Тестовый УЦ");
    let (pem, _) = holder(&ca, Spec::default());
    // The test client connects from 127.0.0.1, which is not the configured proxy.
    let (apps, _dir) = apps_trusting(&ca, "10.0.0.1").await;
    for app in &apps {
        let resp = present(app, &browser(), Some(&pem)).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert!(resp.text().await.unwrap().contains("certificate_not_found"));
    }
    let (apps, _dir) = apps_trusting(&ca, "127.0.0.1").await;
    for app in &apps {
        let b = browser();
        let resp = present(app, &b, Some(&pem)).await;
        assert!(
            location(&resp).starts_with("/authorize/"),
            "{}",
            app.backend
        );
        let back = app.login_and_consent(&b, location(&resp), "-").await;
        assert!(query_param(&back, "code").is_some(), "{back}");
    }
}

#[tokio::test]
async fn a_qualified_certificate_over_mutual_tls_confirms_the_identity() {
    let ca = new_ca("Тестовый УЦ");
    let (pem, key) = holder(&ca, Spec::default());
    let (apps, dir) = apps_trusting(&ca, "10.0.0.1").await;
    // The server's own certificate for the TLS listener.
    let server = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let (cert_file, key_file) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    std::fs::write(&cert_file, server.cert.pem()).unwrap();
    std::fs::write(&key_file, server.signing_key.serialize_pem()).unwrap();
    for app in &apps {
        app.make_standard().await;
        let rustls = propusk::server::mtls_config(&app.state, &cert_file, &key_file).unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = propusk::app(app.state.clone());
        tokio::spawn(async move {
            axum_server::from_tcp(listener)
                .unwrap()
                .acceptor(propusk::server::CertAcceptor::new(rustls))
                .serve(propusk::http::with_peer(router))
                .await
                .unwrap();
        });
        let identity = reqwest::Identity::from_pem(format!("{pem}{key}").as_bytes()).unwrap();
        let b = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .add_root_certificate(
                reqwest::Certificate::from_pem(server.cert.pem().as_bytes()).unwrap(),
            )
            .identity(identity)
            .build()
            .unwrap();
        let tls_base = format!("https://127.0.0.1:{port}");
        let start = app.authorize_url(&[]).replace(&app.base, &tls_base);
        let resp = b.get(&start).send().await.unwrap();
        let interaction = location(&resp);
        let resp = b
            .get(format!("{tls_base}{interaction}/certificate"))
            .send()
            .await
            .unwrap();
        assert!(
            location(&resp).starts_with("/authorize/"),
            "{}: {}",
            app.backend,
            resp.text().await.unwrap()
        );
        // Consent on the same listener, then the portal gets its code.
        let mut url = format!("{tls_base}{}", location(&resp));
        let back = loop {
            let resp = b.get(&url).send().await.unwrap();
            if resp.status().is_redirection() {
                let to = location(&resp);
                if to.starts_with('/') {
                    url = format!("{tls_base}{to}");
                    continue;
                }
                break to;
            }
            let html = resp.text().await.unwrap();
            assert!(html.contains("name=\"decision\""), "{html}");
            let mut form = hidden_inputs(&html);
            form.push(("decision".into(), "allow".into()));
            let resp = b
                .post(format!("{tls_base}{}", form_action(&html)))
                .form(&form)
                .send()
                .await
                .unwrap();
            url = format!("{tls_base}{}", location(&resp));
        };
        let code = query_param(&back, "code").expect("a code");
        let (status, tokens) = app.exchange(&code).await;
        assert_eq!(status, 200);
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["acr"], "urn:propusk:loa:confirmed");
        assert_eq!(id["identity_confirmed"], true);
        let amr: Vec<String> = serde_json::from_value(id["amr"].clone()).unwrap();
        assert_eq!(amr, ["sc", "qes"]);
        let events = app.store.audit_for_account("citizen-1", 20).await.unwrap();
        let confirmed = events
            .iter()
            .find(|e| e.kind == "identity_confirmed")
            .expect("audited");
        assert!(confirmed.detail.contains("certificate"));
        assert!(events.iter().any(|e| e.kind == "certificate_login"));
        assert_eq!(
            app.store.certificates_of("citizen-1").await.unwrap().len(),
            1
        );
    }
}

const GOST_CITIZEN: &str = include_str!("fixtures/gost/citizen.pem");

#[tokio::test]
async fn a_gost_certificate_is_read_and_accepted_when_the_proxy_verified_it() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let der = CertificateDer::from_pem_slice(GOST_CITIZEN.as_bytes()).unwrap();
    let id = propusk::authn::certificate::CertIdentity::from_der(&der).unwrap();
    assert!(id.gost, "GOST R 34.10-2012 recognised");
    assert!(id.qualified);
    assert_eq!(id.snils.as_deref(), Some("11223344595"));
    assert_eq!(id.inn.as_deref(), Some("500100732259"));
    assert_eq!(id.common_name.as_deref(), Some("Петров Пётр Петрович"));

    let ca = new_ca("Тестовый УЦ");
    // rustls-webpki cannot verify a GOST signature: without the proxy's verification
    // the chain is untrusted, with a clear message.
    let (apps, _dir) = apps_trusting(&ca, "127.0.0.1").await;
    for app in &apps {
        let resp = present(app, &browser(), Some(GOST_CITIZEN)).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(resp.text().await.unwrap().contains("certificate_untrusted"));
    }
    // A GOST-capable proxy that verified the chain (nginx ssl_verify_client with the
    // gost engine) is believed; dates and key usage are still checked here.
    let dir = tempfile::tempdir().unwrap();
    let trust = dir.path().join("client-ca.pem");
    std::fs::write(&trust, ca.pem()).unwrap();
    let apps = apps_with(|c: &mut Config| {
        c.certificate_login.enabled = true;
        c.certificate_login.trust_store = trust.clone();
        c.certificate_login.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        c.certificate_login.proxy_verifies_chain = true;
    })
    .await;
    for app in &apps {
        let b = browser();
        let resp = present(app, &b, Some(GOST_CITIZEN)).await;
        assert!(
            location(&resp).starts_with("/authorize/"),
            "{}",
            app.backend
        );
        let back = app.login_and_consent(&b, location(&resp), "-").await;
        assert!(query_param(&back, "code").is_some());
        let events = app.store.audit_for_account("citizen-1", 10).await.unwrap();
        let login = events
            .iter()
            .find(|e| e.kind == "certificate_login")
            .unwrap();
        assert!(
            login.detail.contains("\"via_proxy\":true"),
            "{}",
            login.detail
        );
    }
}

#[tokio::test]
async fn a_citizen_binds_a_certificate_in_the_cabinet() {
    let ca = new_ca("Тестовый УЦ");
    let (mine, _) = holder(&ca, Spec::default());
    let (other, _) = holder(
        &ca,
        Spec {
            snils: Some("12345678964"),
            serial: 9,
            ..Spec::default()
        },
    );
    let (apps, _dir) = apps_trusting(&ca, "127.0.0.1").await;
    for app in &apps {
        let b = browser();
        app.sign_in(&b, "+79123456789", PASSWORD).await;
        let (_, html) = app.page(&b, "/cabinet").await;
        assert!(html.contains("id=\"certificate-bind\""));
        let bind = |pem: &str| {
            b.get(app.url("/cabinet/certificate"))
                .header("X-SSL-Client-Cert", header_value(pem))
                .send()
        };
        let resp = bind(&other).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("certificate_other_snils")
        );
        let resp = bind(&mine).await.unwrap();
        assert_eq!(location(&resp), app.url("/cabinet?done=certificate"));
        let (_, html) = app.page(&b, "/cabinet?done=certificate").await;
        assert!(
            html.contains("Иванов Иван Иванович"),
            "the bound certificate is listed"
        );
        assert!(html.contains("Сертификат привязан"));
        let kinds: Vec<String> = app
            .store
            .audit_for_account("citizen-1", 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(kinds.iter().any(|k| k == "certificate_bound"));
        assert!(kinds.iter().any(|k| k == "certificate_refused"));
    }
}
