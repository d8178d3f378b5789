//! Command-line interface. Each subcommand loads the same typed configuration as the
//! server, so `--config` and `PROPUSK_*` variables mean the same everywhere.

mod audit;
mod client;
mod identity;
mod keys;
mod user;

use crate::config::{Config, LogFormat};
use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "propusk",
    version,
    about = "ESIA-style single sign-on server (OpenID Connect provider)"
)]
pub struct Cli {
    /// Configuration file (default: ./propusk.toml when present, else built-in defaults).
    #[arg(long, global = true, env = "PROPUSK_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Signing keys: list, generate, rotate.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Relying portals (OAuth clients).
    #[command(subcommand)]
    Client(client::ClientCommand),
    /// Citizens' accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// The audit journal: query it, export it as JSON lines.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve => {
            init_tracing(&config);
            crate::server::serve(config).await
        }
        Command::Migrate => {
            crate::server::open_store(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Keys(cmd) => keys::run(&config, cmd),
        Command::Client(cmd) => client::run(&config, cmd).await,
        Command::User(cmd) => user::run(&config, cmd).await,
        Command::Audit(cmd) => audit::run(&config, cmd).await,
    }
}

fn init_tracing(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Read a secret line from standard input (a password piped in, or typed).
fn read_stdin_line(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| format!("reading the {what} from standard input"))?;
    let value = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!value.is_empty(), "{what}: nothing on standard input");
    Ok(value)
}

/// Now, for commands (the CLI is an edge like `main`: it may read the clock).
fn now() -> i64 {
    use crate::clock::Clock as _;
    crate::clock::SystemClock.now()
}

/// The server's state, for commands that run the management operations in-process
/// (`crate::admin`): the same validation, store calls and journal as `/admin/v1`.
async fn admin_state(config: &Config) -> anyhow::Result<crate::AppState> {
    let store = crate::server::open_store(config).await?;
    let clock: std::sync::Arc<dyn crate::clock::Clock> =
        std::sync::Arc::new(crate::clock::SystemClock);
    Ok(crate::AppState::new(config.clone(), store, clock)?)
}

/// The console user as the journal records it (`cli:<user>`). Whoever can run the CLI
/// on the server reads its configuration and database, so the CLI acts as an admin.
fn console_actor() -> crate::admin::Actor {
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty() && !u.chars().any(char::is_control))
        .unwrap_or_else(|| "console".to_owned());
    crate::admin::Actor::cli(&user, crate::admin::Role::Admin)
}

/// Run `operation` as `actor`.
async fn permit(
    state: &crate::AppState,
    actor: &crate::admin::Actor,
    operation: crate::admin::Operation,
) -> anyhow::Result<crate::admin::Permit> {
    crate::admin::permit(state, actor, operation)
        .await
        .map_err(|e| explain(e, &|f| f.to_owned()))
}

/// An operation's refusal as a message; bad fields are named by `option`
/// (`redirect_uris[1]` → `--redirect-uri`).
fn explain(e: crate::admin::AdminError, option: &dyn Fn(&str) -> String) -> anyhow::Error {
    use crate::admin::AdminError;
    match e {
        AdminError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|f| {
                    let base = f.field.split('[').next().unwrap_or(&f.field);
                    format!("{}: {}", option(base), f.message)
                })
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AdminError::Internal(e) => anyhow::Error::new(e),
        other => anyhow::anyhow!("{other}"),
    }
}

/// `a_field` → `--a-field`.
fn flag(field: &str) -> String {
    format!("--{}", field.replace('_', "-"))
}
