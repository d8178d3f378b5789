//! `propusk audit list|export`: the audit journal through the same operations as
//! `/admin/v1/journal` (`crate::admin::journal`).

use super::{admin_state, console_actor, explain, flag, permit};
use crate::admin::Operation;
use crate::admin::journal::{self, JournalQuery};
use crate::config::Config;
use clap::Subcommand;
use std::io::Write as _;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// A page of events, oldest first, one a line.
    List {
        #[command(flatten)]
        filter: Filter,
        /// 1 to 100 (default 50).
        #[arg(long)]
        limit: Option<i64>,
        /// From the previous page (printed last when there are more).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Every matching event as JSON lines on standard output.
    Export {
        #[command(flatten)]
        filter: Filter,
    },
}

#[derive(Debug, clap::Args)]
pub struct Filter {
    /// The citizen's account id.
    #[arg(long)]
    account: Option<String>,
    /// As recorded: citizen, system, client:<id>, account:<id>, operator:<name>, cli:<user>.
    #[arg(long)]
    actor: Option<String>,
    /// login, account_blocked, admin_denied …
    #[arg(long)]
    kind: Option<String>,
    /// Unix seconds: events at or after.
    #[arg(long)]
    from: Option<i64>,
    /// Unix seconds: events before.
    #[arg(long)]
    to: Option<i64>,
}

impl Filter {
    fn query(self, limit: Option<i64>, cursor: Option<String>) -> JournalQuery {
        JournalQuery {
            account: self.account,
            actor: self.actor,
            kind: self.kind,
            from: self.from.map(|v| v.to_string()),
            to: self.to.map(|v| v.to_string()),
            limit: limit.map(|v| v.to_string()),
            cursor,
        }
    }
}

pub async fn run(config: &Config, cmd: AuditCommand) -> anyhow::Result<()> {
    let state = admin_state(config).await?;
    let actor = console_actor();
    match cmd {
        AuditCommand::List {
            filter,
            limit,
            cursor,
        } => {
            let p = permit(&state, &actor, Operation::ReadJournal).await?;
            let page = journal::query(&state, &p, &filter.query(limit, cursor))
                .await
                .map_err(|e| explain(e, &flag))?;
            for e in &page.items {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    e.id,
                    e.at,
                    e.kind,
                    e.account_id.as_deref().unwrap_or("-"),
                    e.actor,
                    e.detail
                );
            }
            if let Some(next) = page.next_cursor {
                println!("more: --cursor {next}");
            }
        }
        AuditCommand::Export { filter } => {
            let p = permit(&state, &actor, Operation::ExportJournal).await?;
            let mut export = journal::export(&state, &p, &filter.query(None, None))
                .map_err(|e| explain(e, &flag))?;
            let mut out = std::io::BufWriter::new(std::io::stdout());
            while let Some(chunk) = export.next_chunk().await.map_err(|e| explain(e, &flag))? {
                for e in chunk {
                    serde_json::to_writer(&mut out, &e)?;
                    out.write_all(b"\n")?;
                }
            }
            out.flush()?;
        }
    }
    Ok(())
}
