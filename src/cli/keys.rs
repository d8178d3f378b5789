//! `propusk keys list|generate|rotate`: operate on the keys directory. A running
//! server picks changes up on SIGHUP (or restart).

use super::now;
use crate::config::Config;
use crate::keys::{self, KeyInfo, KeySet, KeyStatus, SigningAlg};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Show every key: kid, algorithm, status, and until when a retired key stays published.
    List,
    /// Add a new active key for one algorithm; the previous one is retired but stays
    /// published until tokens it signed have expired.
    Generate {
        #[arg(long, value_parser = parse_alg)]
        alg: SigningAlg,
    },
    /// `generate` for every algorithm in use (or just `--alg`).
    Rotate {
        #[arg(long, value_parser = parse_alg)]
        alg: Option<SigningAlg>,
    },
}

fn parse_alg(s: &str) -> Result<SigningAlg, String> {
    s.parse()
        .map_err(|_| format!("unknown algorithm {s}: use RS256, ES256 or EdDSA"))
}

pub fn run(config: &Config, cmd: KeysCommand) -> anyhow::Result<()> {
    let dir = &config.keys_dir;
    let keep = config.longest_token_ttl();
    match cmd {
        KeysCommand::List => {
            let set = KeySet::load(dir, now())?;
            print_keys(&set.list());
        }
        KeysCommand::Generate { alg } => {
            let info = keys::generate(dir, alg, now(), keep)?;
            println!("generated {} key {}", info.alg.as_str(), info.kid);
        }
        KeysCommand::Rotate { alg } => {
            for info in keys::rotate(dir, alg, now(), keep)? {
                println!("rotated {}: new key {}", info.alg.as_str(), info.kid);
            }
        }
    }
    Ok(())
}

fn print_keys(keys: &[KeyInfo]) {
    println!(
        "{:<18} {:<6} {:<8} {:<12} PUBLISHED UNTIL",
        "KID", "ALG", "STATUS", "CREATED"
    );
    for k in keys {
        let status = match k.status {
            KeyStatus::Active => "active",
            KeyStatus::Retired => "retired",
        };
        let until = k
            .publish_until
            .map_or_else(|| "-".to_owned(), |t| t.to_string());
        println!(
            "{:<18} {:<6} {:<8} {:<12} {}",
            k.kid,
            k.alg.as_str(),
            status,
            k.created_at,
            until
        );
    }
}
