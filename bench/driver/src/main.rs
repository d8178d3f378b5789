//! `propusk-bench`: the part of propusk's benchmark that `wrk` cannot do.
//!
//! - `flow`: multi-step OpenID Connect flows driven by goose (the load generator): the
//!   authorization-code flow with an existing session (scenario 3), a password login
//!   from a cold browser (scenario 4), refresh-token rotation (scenario 5) and a storm of
//!   wrong passwords (scenario 6). Works against propusk and node-oidc-provider: the
//!   endpoints come from discovery and the hosted pages are driven generically (fill the
//!   password form, agree on the consent form, keep the hidden inputs).
//! - `argon2`: the time of one Argon2id hash with the configured parameters, with the
//!   same crate and version as propusk, and the hashing bound (cores ÷ that time).
//!
//! Each run appends one JSON line to `--out`; `bench/report.py` makes the table.

mod html;
mod procstat;
mod setup;

use base64::Engine as _;
use clap::{Parser, Subcommand, ValueEnum};
use goose::config::GooseConfiguration;
use goose::prelude::*;
use rand::Rng as _;
use reqwest::redirect::Policy;
use serde_json::json;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "propusk benchmark driver")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one multi-step scenario with goose and append its figures to --out.
    Flow(FlowArgs),
    /// Time one Argon2id hash and print the hashing bound as JSON.
    Argon2(Argon2Args),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// Authorize with a session → code → token → userinfo.
    Code,
    /// Cold browser: authorize → login page → POST password → code → token.
    Login,
    /// Refresh-token rotation: each user keeps refreshing its own token.
    Refresh,
    /// Wrong passwords on the login form, as fast as they are answered.
    Storm,
}

#[derive(Parser, Clone)]
struct FlowArgs {
    #[arg(long, value_enum)]
    scenario: Kind,
    /// The issuer (discovery is read from it).
    #[arg(long)]
    issuer: String,
    #[arg(long)]
    client_id: String,
    #[arg(long)]
    client_secret: String,
    #[arg(long)]
    redirect_uri: String,
    #[arg(long, default_value = "openid email")]
    scope: String,
    /// Concurrent users (goose users, each with its own cookie jar).
    #[arg(long, default_value_t = 32)]
    users: usize,
    #[arg(long, default_value_t = 15)]
    seconds: usize,
    /// Logins are `{login_prefix}{n:0width$}` for n in 1..=accounts.
    #[arg(long, default_value = "+7900")]
    login_prefix: String,
    #[arg(long, default_value_t = 7)]
    login_width: usize,
    #[arg(long, default_value_t = 1000)]
    accounts: usize,
    #[arg(long)]
    password: String,
    /// Server processes whose CPU time counts (propusk and its PostgreSQL backends,
    /// node, …), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pids: Vec<u32>,
    /// A shell command that prints more PIDs to count, one a line, run once the users
    /// are prepared: a server opens its PostgreSQL connections (new backend processes)
    /// while the setup logs its users in, after the caller listed the PIDs.
    #[arg(long)]
    pids_cmd: Option<String>,
    /// Labels copied into the result line.
    #[arg(long)]
    target: String,
    #[arg(long, default_value = "")]
    backend: String,
    /// Which round of the run this is (copied into the result line).
    #[arg(long, default_value_t = 1)]
    round: usize,
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Fail (exit 1) when any flow failed; the smoke run uses it.
    #[arg(long)]
    strict: bool,
}

#[derive(Parser)]
struct Argon2Args {
    #[arg(long, default_value_t = 19456)]
    memory_kib: u32,
    #[arg(long, default_value_t = 2)]
    iterations: u32,
    #[arg(long, default_value_t = 1)]
    parallelism: u32,
    #[arg(long, default_value_t = 15)]
    samples: usize,
}

/// What every goose transaction needs; set once before the attack starts.
struct Ctx {
    args: FlowArgs,
    origin: String,
    authorize: String,
    token: String,
    userinfo: String,
    basic: String,
    /// Cookie jars (code flow) or refresh tokens (refresh), one per goose user.
    prepared: Vec<setup::Prepared>,
    next_user: AtomicUsize,
    failures: AtomicU64,
}

static CTX: OnceLock<Ctx> = OnceLock::new();

fn ctx() -> &'static Ctx {
    CTX.get().expect("context is set before the attack")
}

// RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = match cli.cmd {
        Cmd::Flow(a) => rt.block_on(flow(a)),
        Cmd::Argon2(a) => argon2_bound(&a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("propusk-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn flow(args: FlowArgs) -> Result<(), BoxError> {
    let meta: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", args.issuer))
            .await?
            .error_for_status()?
            .json()
            .await?;
    let endpoint = |k: &str| -> Result<String, BoxError> {
        Ok(meta[k]
            .as_str()
            .ok_or_else(|| format!("discovery lacks {k}"))?
            .to_owned())
    };
    let origin = url::Url::parse(&args.issuer)?
        .origin()
        .ascii_serialization();
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            enc(&args.client_id),
            enc(&args.client_secret)
        ))
    );
    let mut context = Ctx {
        origin,
        authorize: endpoint("authorization_endpoint")?,
        token: endpoint("token_endpoint")?,
        userinfo: endpoint("userinfo_endpoint")?,
        basic,
        prepared: Vec::new(),
        next_user: AtomicUsize::new(0),
        failures: AtomicU64::new(0),
        args: args.clone(),
    };
    let started = Instant::now();
    context.prepared = setup::prepare(&context).await?;
    eprintln!(
        "{} {}: {} users prepared in {:.1}s",
        args.target,
        scenario_name(args.scenario),
        context.prepared.len(),
        started.elapsed().as_secs_f64()
    );
    if CTX.set(context).is_err() {
        return Err("context set twice".into());
    }

    let (name, tx): (&str, Transaction) = match args.scenario {
        Kind::Code => ("code_flow", transaction!(code_flow)),
        Kind::Login => ("password_login", transaction!(password_login)),
        Kind::Refresh => ("refresh", transaction!(refresh)),
        Kind::Storm => ("wrong_password", transaction!(wrong_password)),
    };
    let mut scenario = scenario!("bench")
        .register_transaction(transaction!(user_start).set_on_start().set_name("start"));
    scenario = scenario.register_transaction(tx.set_name(name));

    let mut pids = args.pids.clone();
    if let Some(cmd) = &args.pids_cmd {
        pids.extend(procstat::pids_from(cmd)?);
        pids.sort_unstable();
        pids.dedup();
    }
    let cpu_before = procstat::cpu_ms(&pids);
    let busy_before = procstat::machine_busy_ms();
    let self_before = procstat::self_cpu_ms();
    let clock = Instant::now();
    let metrics = GooseAttack::initialize_with_config(GooseConfiguration::default())?
        .register_scenario(scenario)
        .set_default(GooseDefault::Host, args.issuer.as_str())?
        .set_default(GooseDefault::Users, args.users)?
        .set_default(GooseDefault::IncreaseRate, "1000")?
        .set_default(GooseDefault::RunTime, args.seconds)?
        .set_default(GooseDefault::NoResetMetrics, true)?
        .set_default(GooseDefault::NoPrintMetrics, true)?
        .set_default(GooseDefault::NoErrorSummary, true)?
        .set_default(GooseDefault::Quiet, 1)?
        .execute()
        .await?;
    let elapsed = clock.elapsed().as_secs_f64();
    let mut cpu_after = procstat::cpu_ms(&pids);
    if let Some(cmd) = &args.pids_cmd {
        // Backends born during the measurement (the pool grows under load): all of
        // their CPU time falls inside it.
        let born: Vec<u32> = procstat::pids_from(cmd)?
            .into_iter()
            .filter(|p| !pids.contains(p))
            .collect();
        cpu_after += procstat::cpu_ms(&born);
        pids.extend(born);
    }
    let self_ms = procstat::self_cpu_ms() - self_before;
    let busy_ms = procstat::machine_busy_ms() - busy_before;

    let agg = metrics
        .transactions
        .iter()
        .flatten()
        .find(|t| t.transaction_name.name_for_transaction() == name)
        .ok_or("goose recorded no transaction metrics")?;
    let ops = agg.success_count as u64;
    let failed = agg.fail_count as u64 + ctx().failures.load(Ordering::Relaxed);
    let cpu_ms = cpu_after - cpu_before;
    let line = json!({
        "scenario": scenario_name(args.scenario),
        "target": args.target,
        "backend": args.backend,
        "accounts": args.accounts,
        "round": args.round,
        "tool": "goose",
        "users": args.users,
        "seconds": elapsed,
        "ops": ops,
        "rps": ops as f64 / elapsed,
        "p50_ms": agg.run_times.percentile_us(0.50) as f64 / 1000.0,
        "p99_ms": agg.run_times.percentile_us(0.99) as f64 / 1000.0,
        "cpu_ms_per_op": if ops > 0 && !pids.is_empty() { Some(cpu_ms / ops as f64) } else { None },
        "errors": failed,
        "loadgen_cpu_ms": self_ms,
        // CPU used by anything but the server and the load generator during the
        // measurement (other work on the machine), in % of one core.
        "other_cpu_pct": if pids.is_empty() { None } else {
            Some(((busy_ms - cpu_ms - self_ms) / (elapsed * 1000.0) * 100.0).max(0.0))
        },
    });
    eprintln!(
        "{} {}: {} ops in {:.1}s = {:.1}/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
        args.target,
        scenario_name(args.scenario),
        ops,
        elapsed,
        ops as f64 / elapsed,
        line["p50_ms"].as_f64().unwrap_or(0.0),
        line["p99_ms"].as_f64().unwrap_or(0.0),
        failed
    );
    if let Some(out) = &args.out {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)?;
        writeln!(f, "{line}")?;
    } else {
        println!("{line}");
    }
    if args.strict && (failed > 0 || ops == 0) {
        return Err(format!("{failed} failed flows, {ops} successful").into());
    }
    Ok(())
}

fn scenario_name(s: Kind) -> &'static str {
    match s {
        Kind::Code => "code_flow",
        Kind::Login => "password_login",
        Kind::Refresh => "refresh",
        Kind::Storm => "login_storm",
    }
}

/// A browser that keeps cookies and looks at every redirect itself. Every server here is
/// plain HTTP on loopback: no root certificates (goose builds reqwest with TLS, and a
/// client that loads the system's roots spends ~5 ms of CPU on it, once a cold-browser
/// login) and no proxy lookup.
fn browser(jar: Option<Arc<reqwest::cookie::Jar>>) -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder()
        .tls_certs_only(std::iter::empty())
        .no_proxy()
        .redirect(Policy::none())
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60));
    match jar {
        Some(j) => b.cookie_provider(j),
        None => b.cookie_store(true),
    }
}

/// Each goose user takes its prepared state (a logged-in cookie jar, a refresh token).
async fn user_start(user: &mut GooseUser) -> TransactionResult {
    let c = ctx();
    let i = c.next_user.fetch_add(1, Ordering::Relaxed);
    let prepared = c.prepared.get(i % c.prepared.len().max(1)).cloned();
    match prepared {
        Some(setup::Prepared::Session(jar)) => user.set_client_builder(browser(Some(jar))).await?,
        Some(setup::Prepared::Refresh(token)) => {
            user.set_client_builder(browser(None)).await?;
            user.set_session_data(UserState {
                refresh: token,
                ..UserState::default()
            });
        }
        Some(setup::Prepared::Interaction { jar, action, csrf }) => {
            user.set_client_builder(browser(Some(jar))).await?;
            user.set_session_data(UserState {
                action,
                csrf,
                ..UserState::default()
            });
        }
        None => user.set_client_builder(browser(None)).await?,
    }
    Ok(())
}

#[derive(Default, Clone)]
struct UserState {
    refresh: String,
    action: String,
    csrf: String,
}

/// Send one request through goose (so it is timed and counted) and check its status.
async fn send(
    user: &mut GooseUser,
    name: &str,
    method: GooseMethod,
    url: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    expect: u16,
) -> Result<reqwest::Response, Box<TransactionError>> {
    let rb = build(user.get_request_builder(&method, url)?);
    let req = GooseRequest::builder()
        .method(method)
        .path(url)
        .name(name)
        .expect_status_code(expect)
        .set_request_builder(rb)
        .build();
    let mut goose = user.request(req).await?;
    match goose.response {
        Ok(resp) if resp.status().as_u16() == expect => Ok(resp),
        Ok(resp) => {
            let status = resp.status();
            let body = resp.text().await.unwrap_or_default();
            let why = format!(
                "{name}: expected {expect}, got {status}: {}",
                html::text(&body, 300)
            );
            fail(user, &mut goose.request, &why)
        }
        Err(e) => {
            let why = format!("{name}: {e}");
            fail(user, &mut goose.request, &why)
        }
    }
}

fn fail<T>(
    user: &mut GooseUser,
    request: &mut goose::metrics::GooseRequestMetric,
    why: &str,
) -> Result<T, Box<TransactionError>> {
    let c = ctx();
    if c.failures.fetch_add(1, Ordering::Relaxed) < 5 {
        eprintln!("failure: {why}");
    }
    user.set_failure(why, request, None, None)?;
    Err(Box::new(TransactionError::InvalidMethod {
        method: reqwest::Method::GET,
    }))
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Make a Location absolute against the provider's origin.
fn absolute(loc: &str) -> String {
    if loc.starts_with('/') {
        format!("{}{loc}", ctx().origin)
    } else {
        loc.to_owned()
    }
}

fn authorize_url(extra: &[(&str, &str)]) -> String {
    let c = ctx();
    authorize_url_for(c, &c.args.scope, extra)
}

pub(crate) fn authorize_url_for(c: &Ctx, scope: &str, extra: &[(&str, &str)]) -> String {
    let mut u = url::Url::parse(&c.authorize).expect("authorization endpoint");
    {
        let mut q = u.query_pairs_mut();
        q.append_pair("client_id", &c.args.client_id)
            .append_pair("redirect_uri", &c.args.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", scope)
            .append_pair("state", "bench-state")
            .append_pair("nonce", "bench-nonce")
            .append_pair("code_challenge", CHALLENGE)
            .append_pair("code_challenge_method", "S256");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

fn code_of(loc: &str) -> Option<String> {
    url::Url::parse(loc)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
}

async fn exchange(
    user: &mut GooseUser,
    code: &str,
) -> Result<serde_json::Value, Box<TransactionError>> {
    let c = ctx();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", c.args.redirect_uri.as_str()),
        ("code_verifier", VERIFIER),
    ];
    let resp = send(
        user,
        "token (code)",
        GooseMethod::Post,
        &c.token,
        |rb| rb.header("authorization", &c.basic).form(&form),
        200,
    )
    .await?;
    json_body(user, resp, "token (code)").await
}

async fn json_body(
    _user: &mut GooseUser,
    resp: reqwest::Response,
    what: &str,
) -> Result<serde_json::Value, Box<TransactionError>> {
    match resp.json::<serde_json::Value>().await {
        Ok(v) => Ok(v),
        Err(e) => {
            ctx().failures.fetch_add(1, Ordering::Relaxed);
            eprintln!("failure: {what}: body is not JSON: {e}");
            Err(Box::new(TransactionError::InvalidMethod {
                method: reqwest::Method::POST,
            }))
        }
    }
}

/// Scenario 3: the citizen already has a session and has consented before.
async fn code_flow(user: &mut GooseUser) -> TransactionResult {
    let c = ctx();
    let url = authorize_url(&[]);
    let resp = send(
        user,
        "authorize (session)",
        GooseMethod::Get,
        &url,
        |rb| rb,
        303,
    )
    .await?;
    let loc = location(&resp);
    let Some(code) = code_of(&loc) else {
        c.failures.fetch_add(1, Ordering::Relaxed);
        eprintln!("failure: authorize did not return a code: {loc}");
        return Ok(());
    };
    let tokens = exchange(user, &code).await?;
    let at = tokens["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let userinfo = c.userinfo.clone();
    send(
        user,
        "userinfo",
        GooseMethod::Get,
        &userinfo,
        |rb| rb.bearer_auth(at),
        200,
    )
    .await?;
    Ok(())
}

/// Scenario 4: a cold browser (no cookies, new connection) logs in with a password.
async fn password_login(user: &mut GooseUser) -> TransactionResult {
    let c = ctx();
    user.set_client_builder(browser(None)).await?;
    let n = rand::rng().random_range(1..=c.args.accounts);
    let login = format!(
        "{}{:0width$}",
        c.args.login_prefix,
        n,
        width = c.args.login_width
    );
    let url = authorize_url(&[]);
    let resp = send(
        user,
        "authorize (cold)",
        GooseMethod::Get,
        &url,
        |rb| rb,
        303,
    )
    .await?;
    let page = absolute(&location(&resp));
    let resp = send(user, "login page", GooseMethod::Get, &page, |rb| rb, 200).await?;
    let html = resp.text().await.unwrap_or_default();
    let action = absolute(&html::form_action(&html).unwrap_or_default());
    let mut form = html::hidden_inputs(&html);
    form.push(("login".into(), login));
    form.push(("password".into(), c.args.password.clone()));
    let resp = send(
        user,
        "login POST",
        GooseMethod::Post,
        &action,
        |rb| rb.form(&form),
        303,
    )
    .await?;
    let resume = absolute(&location(&resp));
    let resp = send(user, "resume", GooseMethod::Get, &resume, |rb| rb, 303).await?;
    let loc = location(&resp);
    let Some(code) = code_of(&loc) else {
        c.failures.fetch_add(1, Ordering::Relaxed);
        eprintln!("failure: the login did not end with a code: {loc}");
        return Ok(());
    };
    exchange(user, &code).await?;
    Ok(())
}

/// Scenario 5: rotate the refresh token; the new one replaces the old.
async fn refresh(user: &mut GooseUser) -> TransactionResult {
    let c = ctx();
    let token = user
        .get_session_data::<UserState>()
        .map(|s| s.refresh.clone())
        .unwrap_or_default();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", token.as_str()),
    ];
    let resp = send(
        user,
        "token (refresh)",
        GooseMethod::Post,
        &c.token,
        |rb| rb.header("authorization", &c.basic).form(&form),
        200,
    )
    .await?;
    let body = json_body(user, resp, "token (refresh)").await?;
    match body["refresh_token"].as_str() {
        Some(next) => {
            if let Some(s) = user.get_session_data_mut::<UserState>() {
                s.refresh = next.to_owned();
            }
        }
        None => {
            c.failures.fetch_add(1, Ordering::Relaxed);
            eprintln!("failure: the refresh response has no new refresh token");
        }
    }
    Ok(())
}

/// Scenario 6's background: wrong credentials on a parked login form, over and over.
async fn wrong_password(user: &mut GooseUser) -> TransactionResult {
    let (action, form) = {
        let s = user.get_session_data::<UserState>();
        let Some(s) = s else { return Ok(()) };
        (
            s.action.clone(),
            vec![
                ("csrf".to_owned(), s.csrf.clone()),
                // A different unknown login each time: the server verifies a dummy hash
                // (the same cost as a wrong password) and no lockout counter ever fills,
                // so every attempt costs a full Argon2id verification.
                (
                    "login".to_owned(),
                    format!("+7999{:07}", rand::rng().random_range(0..10_000_000)),
                ),
                ("password".to_owned(), "Wrong-password-1".to_owned()),
            ],
        )
    };
    send(
        user,
        "login POST (wrong)",
        GooseMethod::Post,
        &action,
        |rb| rb.form(&form),
        401,
    )
    .await?;
    Ok(())
}

fn argon2_bound(a: &Argon2Args) -> Result<(), BoxError> {
    use argon2::{Algorithm, Argon2, Block, Params, Version};
    let params =
        Params::new(a.memory_kib, a.iterations, a.parallelism, None).map_err(|e| e.to_string())?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // The fastest one hash this crate computes: into memory allocated once and reused
    // (as propusk's hashing threads do), so the bound is the hash itself with no
    // allocation or page faults in it; anything the login path adds shows as < 100 %.
    let salt = *b"bench-salt-16-by";
    let hash_once = |memory: &mut [Block], i: usize| -> Result<(), String> {
        let mut out = [0u8; 32];
        hasher
            .hash_password_into_with_memory(
                format!("Bench-password-{i}").as_bytes(),
                &salt,
                &mut out,
                memory,
            )
            .map_err(|e| e.to_string())
    };
    let blocks = params.block_count();
    let times = std::thread::scope(|s| {
        s.spawn(|| -> Result<Vec<f64>, String> {
            let mut memory = vec![Block::default(); blocks];
            let mut times = Vec::new();
            for i in 0..a.samples + 2 {
                let t = Instant::now();
                hash_once(&mut memory, i)?;
                if i >= 2 {
                    times.push(t.elapsed().as_secs_f64());
                }
            }
            Ok(times)
        })
        .join()
        .map_err(|_| "hashing thread panicked".to_owned())
    })??;
    let mut times = times;
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    // All cores hashing at once (each thread warmed up first): memory bandwidth and
    // shared caches may make this slower than cores × one alone.
    let per_core = a.samples.max(4);
    let barrier = std::sync::Barrier::new(cores + 1);
    let mut t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores {
            let (hash_once, barrier) = (&hash_once, &barrier);
            s.spawn(move || {
                let mut memory = vec![Block::default(); blocks];
                let _ = hash_once(&mut memory, 0);
                barrier.wait();
                for i in 0..per_core {
                    let _ = hash_once(&mut memory, i);
                }
            });
        }
        barrier.wait();
        t = Instant::now();
    });
    let parallel_rate = (cores * per_core) as f64 / t.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "memory_kib": a.memory_kib,
            "iterations": a.iterations,
            "parallelism": a.parallelism,
            "cores": cores,
            "hash_ms": median * 1000.0,
            "bound_per_s": cores as f64 / median,
            "all_cores_hashes_per_s": parallel_rate,
        })
    );
    Ok(())
}
