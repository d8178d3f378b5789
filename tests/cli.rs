//! The `propusk` binary as an operator uses it: serve (over TLS), client, user and keys
//! commands, with non-zero exits and messages that name the option on bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_propusk"));
        c.args(args)
            .current_dir(self.dir.path())
            .env_remove("PROPUSK_TEST_DATABASE_URL")
            .env(
                "PROPUSK_DATABASE_URL",
                format!("sqlite://{}/db/propusk.db", self.dir.path().display()),
            )
            .env("PROPUSK_KEYS_DIR", self.dir.path().join("keys"))
            .env("PROPUSK_PASSWORD_HASH__MEMORY_KIB", "256")
            .env("PROPUSK_PASSWORD_HASH__ITERATIONS", "1");
        c
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn clients_are_registered_listed_and_removed() {
    let env = Env::new();
    let out = env.run(
        &[
            "client",
            "add",
            "--id",
            "tax",
            "--redirect-uri",
            "https://tax.example/cb",
            "--scope",
            "openid",
            "email",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let secret_line = text(&out)
        .lines()
        .find(|l| l.starts_with("client_secret:"))
        .unwrap()
        .to_owned();
    assert!(
        secret_line.len() > 50,
        "a 256-bit secret is printed once: {secret_line}"
    );

    let dup = env.run(
        &[
            "client",
            "add",
            "--id",
            "tax",
            "--redirect-uri",
            "https://tax.example/cb",
        ],
        None,
    );
    assert!(!dup.status.success());
    assert!(text(&dup).contains("already registered"));

    let bad = env.run(
        &[
            "client",
            "add",
            "--id",
            "x",
            "--redirect-uri",
            "http://portal.example/cb",
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("--redirect-uri"), "{}", text(&bad));

    let public = env.run(
        &[
            "client",
            "add",
            "--id",
            "app",
            "--public",
            "--redirect-uri",
            "ru.example.app:/cb",
        ],
        None,
    );
    assert!(public.status.success(), "{}", text(&public));
    assert!(!text(&public).contains("client_secret:"));

    let list = env.run(&["client", "list"], None);
    let listed = text(&list);
    assert!(
        listed.contains("tax\tclient_secret_basic\topenid email") && listed.contains("app\tpublic"),
        "{listed}"
    );

    assert!(env.run(&["client", "remove", "tax"], None).status.success());
    let again = env.run(&["client", "remove", "tax"], None);
    assert!(!again.status.success());
    assert!(text(&again).contains("not registered"));
}

#[test]
fn users_get_the_password_from_stdin_and_the_policy_is_enforced() {
    let env = Env::new();
    let ok = env.run(
        &[
            "user",
            "add",
            "--name",
            "Иванов Иван Иванович",
            "--phone",
            "8 (912) 345-67-89",
            "--snils",
            "112-233-445 95",
        ],
        Some("Xk7#mQ2$vLp9\n"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let weak = env.run(
        &[
            "user",
            "add",
            "--name",
            "Петров Пётр",
            "--email",
            "petrov@example.ru",
        ],
        Some("password\n"),
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("password:"), "{}", text(&weak));
    let taken = env.run(
        &[
            "user",
            "add",
            "--name",
            "Петров Пётр",
            "--phone",
            "+79123456789",
        ],
        Some("Xk7#mQ2$vLp9\n"),
    );
    assert!(!taken.status.success());
    assert!(text(&taken).contains("--phone"), "{}", text(&taken));
    let bad_snils = env.run(
        &[
            "user",
            "add",
            "--name",
            "Петров Пётр",
            "--snils",
            "112-233-445 94",
        ],
        Some("Xk7#mQ2$vLp9\n"),
    );
    assert!(text(&bad_snils).contains("--snils"), "{}", text(&bad_snils));
    let list = text(&env.run(&["user", "list"], None));
    assert!(
        list.contains("+79123456789") && list.contains("11223344595"),
        "{list}"
    );
    assert!(!list.contains("argon2"), "hashes are never printed");
}

#[test]
fn keys_generate_rotate_and_list() {
    let env = Env::new();
    let empty = env.run(&["keys", "list"], None);
    assert!(!empty.status.success(), "no keys yet: {}", text(&empty));
    assert!(
        env.run(&["keys", "generate", "--alg", "ES256"], None)
            .status
            .success()
    );
    assert!(env.run(&["keys", "rotate"], None).status.success());
    let list = text(&env.run(&["keys", "list"], None));
    assert_eq!(list.matches("ES256").count(), 2, "{list}");
    assert!(list.contains("retired") && list.contains("active"));
    let bad = env.run(&["keys", "generate", "--alg", "HS256"], None);
    assert!(!bad.status.success());
}

#[test]
fn unknown_configuration_is_an_error() {
    let env = Env::new();
    std::fs::write(
        env.dir.path().join("propusk.toml"),
        "isuer = \"https://id.example.ru\"\n",
    )
    .unwrap();
    let out = env.run(&["migrate"], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("isuer"), "{}", text(&out));
    let out = env
        .cmd(&["migrate", "--config", "/nonexistent.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn serve_terminates_tls_with_the_configured_certificate() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let env = Env::new();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert_path = env.dir.path().join("cert.pem");
    let key_path = env.dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = env
        .cmd(&["serve"])
        .env("PROPUSK_LISTEN", format!("127.0.0.1:{port}"))
        .env("PROPUSK_ISSUER", format!("https://localhost:{port}"))
        .env("PROPUSK_TLS__CERT_FILE", &cert_path)
        .env("PROPUSK_TLS__KEY_FILE", &key_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap(),
            )
            .build()
            .unwrap();
        let url = format!("https://localhost:{port}/.well-known/openid-configuration");
        for _ in 0..100 {
            if let Ok(resp) = client.get(&url).send().await {
                return Some(resp.json::<serde_json::Value>().await.unwrap());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    });
    child.kill().unwrap();
    let _ = child.wait();
    let doc = result.expect("the server answered over TLS");
    assert_eq!(doc["issuer"], format!("https://localhost:{port}"));
    assert!(
        env.dir.path().join("keys/keys.json").exists(),
        "keys were generated at start"
    );
    assert!(
        env.dir.path().join("db/propusk.db").exists(),
        "the database was created"
    );
}

#[tokio::test]
async fn operators_confirm_identities_and_issue_postal_codes() {
    use propusk::store::jobs::{JobEnd, JobRow};
    use propusk::store::personal::Submission;
    let env = Env::new();
    let ok = env.run(
        &[
            "user",
            "add",
            "--name",
            "Иванов Иван",
            "--phone",
            "+79123456789",
        ],
        Some("Xk7#mQ2$vLp9\n"),
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let confirm = [
        "user",
        "confirm",
        "--login",
        "+7 912 345 67 89",
        "--operator",
        "Сидорова А. В.",
        "--document",
        "passport 4510 123456",
    ];
    // A simplified account cannot be confirmed: its data was never verified.
    let early = env.run(&confirm, None);
    assert!(!early.status.success());
    assert!(text(&early).contains("verified first"), "{}", text(&early));
    let unknown = env.run(&["user", "postal-code", "--login", "+79990000000"], None);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("--login"), "{}", text(&unknown));
    let missing = env.run(
        &[
            "user",
            "confirm",
            "--login",
            "+79123456789",
            "--operator",
            " ",
            "--document",
            "x",
        ],
        None,
    );
    assert!(text(&missing).contains("--operator"), "{}", text(&missing));

    // Verify the personal data through the store, as the worker would.
    let url = format!("sqlite://{}/db/propusk.db", env.dir.path().display());
    let store = propusk::store::Store::connect(&url).await.unwrap();
    let id = store.list_accounts().await.unwrap()[0].id.clone();
    let data = propusk::account::PersonalData::parse(
        &propusk::account::PersonalDataForm {
            birth_date: "1985-04-12",
            gender: "male",
            passport_series: "4510",
            passport_number: "123456",
            passport_issued: "2005-05-20",
            passport_issuer: "ОВД",
            passport_issuer_code: "",
            snils: "112-233-445 95",
            inn: "",
        },
        1_795_478_400,
    )
    .unwrap();
    let job = JobRow {
        id: "job-1".into(),
        account_id: id.clone(),
        payload: "{}".into(),
        status: "queued".into(),
        attempts: 0,
        run_after: 0,
        locked_until: None,
        created_at: 0,
        finished_at: None,
    };
    store
        .submit_personal_data(&Submission {
            account_id: &id,
            data: &data,
            new_level: None,
            job: &job,
            events: &[],
            now: 1,
        })
        .await
        .unwrap();
    store
        .finish_job(&job, &JobEnd::Accepted, &[], 2)
        .await
        .unwrap();

    let postal = env.run(&["user", "postal-code", "--login", "+79123456789"], None);
    assert!(postal.status.success(), "{}", text(&postal));
    assert!(text(&postal).contains("postal confirmation code"));
    let done = env.run(&confirm, None);
    assert!(done.status.success(), "{}", text(&done));
    let list = text(&env.run(&["user", "list"], None));
    assert!(list.contains("confirmed"), "{list}");
    let again = env.run(&confirm, None);
    assert!(
        text(&again).contains("already confirmed"),
        "{}",
        text(&again)
    );
    let events = store.audit_for_account(&id, 10).await.unwrap();
    let confirmed = events
        .iter()
        .find(|e| e.kind == "identity_confirmed")
        .expect("audited");
    assert_eq!(confirmed.actor, "operator:Сидорова А. В.");
    assert!(confirmed.detail.contains("passport 4510 123456"));
}

#[test]
fn a_bad_worker_thread_count_stops_start_up_with_a_message() {
    let env = Env::new();
    for bad in ["0", "many", "-2"] {
        let out = env
            .cmd(&["client", "list"])
            .env("TOKIO_WORKER_THREADS", bad)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}: {}", text(&out));
        assert!(
            text(&out).contains("TOKIO_WORKER_THREADS must be a whole number above 0"),
            "{bad}: {}",
            text(&out)
        );
    }
    let ok = env
        .cmd(&["client", "list"])
        .env("TOKIO_WORKER_THREADS", "3")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", text(&ok));
}
