//! `propusk user add|list`: create citizens' accounts from the command line (the
//! registration pages come in a later issue). The password is read from standard
//! input so it never lands in shell history or the process list.

use super::{now, read_stdin_line};
use crate::account::{Email, PersonName, Phone, Snils, TrustLevel, check_password};
use crate::authn::password::{Password, PasswordHasher};
use crate::config::Config;
use crate::secret::random_id;
use crate::store::StoreError;
use crate::store::records::AccountRecord;
use anyhow::bail;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        /// Full name, surname first: "Иванов Иван Иванович".
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        snils: Option<String>,
    },
    /// List accounts.
    List,
    /// Confirm a citizen's identity in person (the account must be standard).
    Confirm {
        /// The citizen's phone, e-mail or SNILS.
        #[arg(long)]
        login: String,
        /// Who checked the document.
        #[arg(long)]
        operator: String,
        /// The document presented, e.g. "passport 4510 123456".
        #[arg(long)]
        document: String,
    },
    /// Issue the confirmation code sent by registered post; prints it once.
    PostalCode {
        #[arg(long)]
        login: String,
    },
}

pub async fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Confirm {
            login,
            operator,
            document,
        } => return super::identity::confirm(config, &login, &operator, &document).await,
        UserCommand::PostalCode { login } => {
            return super::identity::postal_code(config, &login).await;
        }
        _ => {}
    }
    let store = crate::server::open_store(config).await?;
    match cmd {
        UserCommand::Add {
            name,
            phone,
            email,
            snils,
        } => {
            let name = PersonName::parse(&name).map_err(|e| anyhow::anyhow!("--{e}"))?;
            let phone = phone
                .as_deref()
                .map(Phone::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--{e}"))?;
            let email = email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--{e}"))?;
            let snils = snils
                .as_deref()
                .map(Snils::parse)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--{e}"))?;
            if phone.is_none() && email.is_none() && snils.is_none() {
                bail!("give at least one login identifier: --phone, --email or --snils");
            }
            let password = read_stdin_line("password")?;
            let mut personal: Vec<&str> = vec![name.family.as_str(), name.given.as_str()];
            if let Some(p) = &phone {
                personal.push(p.as_str());
            }
            if let Some(e) = &email {
                personal.push(e.as_str());
            }
            if let Err(violations) = check_password(&password, &personal) {
                let why: Vec<&str> = violations.iter().map(|v| v.message_en()).collect();
                bail!("password: {}", why.join("; "));
            }
            let hasher = PasswordHasher::new(config.password_hash, 1)?;
            let hash = hasher.hash(&Password::new(password)).await?;
            let t = now();
            let record = AccountRecord {
                id: random_id(),
                family_name: name.family.clone(),
                given_name: name.given.clone(),
                middle_name: name.middle.clone(),
                phone: phone.map(|p| p.as_str().to_owned()),
                email: email.map(|e| e.as_str().to_owned()),
                snils: snils.map(|s| s.as_str().to_owned()),
                // Entered by an operator: the contacts count as confirmed.
                phone_verified: true,
                email_verified: true,
                password_hash: Some(hash),
                trust_level: TrustLevel::Simplified.as_str().to_owned(),
                status: "active".to_owned(),
                created_at: t,
                updated_at: t,
            };
            match store.insert_account(&record).await {
                Err(StoreError::Conflict(field)) => {
                    bail!("--{field}: already belongs to another account")
                }
                other => other?,
            }
            println!("created account {} ({})", record.id, name.full());
        }
        UserCommand::List => {
            for a in store.list_accounts().await? {
                println!(
                    "{}\t{} {}\t{}\t{}\t{}\t{}",
                    a.id,
                    a.family_name,
                    a.given_name,
                    a.phone.as_deref().unwrap_or("-"),
                    a.email.as_deref().unwrap_or("-"),
                    a.snils.as_deref().unwrap_or("-"),
                    a.trust_level
                );
            }
        }
        UserCommand::Confirm { .. } | UserCommand::PostalCode { .. } => {}
    }
    Ok(())
}
