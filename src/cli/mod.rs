//! Command-line interface. Each subcommand loads the same typed configuration as the
//! server, so `--config` and `PROPUSK_*` variables mean the same everywhere.

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
