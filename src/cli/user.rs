//! `propusk user …`: create citizens' accounts from the command line (the password is
//! read from standard input so it never lands in shell history or the process list),
//! and the service-centre operations of `/admin/v1/citizens`, run in-process through
//! the same functions (`crate::admin`).

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
    /// Search by phone, e-mail, SNILS or name; one citizen a line.
    Search {
        /// A phone, e-mail or SNILS in any format, or words of the name.
        query: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        limit: Option<i64>,
        /// From the previous page (printed last when there are more).
        #[arg(long)]
        cursor: Option<String>,
    },
    /// Everything about one citizen, as JSON.
    Show(Who),
    /// Block: sessions end, grants and tokens are revoked.
    Block {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        reason: String,
    },
    Unblock(Who),
    /// Clear the password and second-factor lockouts.
    Unlock(Who),
    /// Remove every second factor (lost phone).
    ResetFactors(Who),
    /// End every live session.
    EndSessions(Who),
    /// Start access recovery: lockouts cleared, the recovery link sent to a confirmed
    /// contact.
    Recover {
        #[command(flatten)]
        who: Who,
        /// sms or email (default: the phone, else the e-mail).
        #[arg(long)]
        channel: Option<String>,
    },
    /// Give the account a management role: admin, operator or auditor.
    GrantRole {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        role: String,
    },
    RevokeRole {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        role: String,
    },
}

/// Which citizen: by a login (phone, e-mail, SNILS in any format) or the account id.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Who {
    #[arg(long)]
    login: Option<String>,
    #[arg(long)]
    id: Option<String>,
}

pub async fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let cmd = match cmd {
        UserCommand::PostalCode { login } => {
            return super::identity::postal_code(config, &login).await;
        }
        UserCommand::Add { .. } | UserCommand::List => cmd,
        operation => return operate(config, operation).await,
    };
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
        _ => {}
    }
    Ok(())
}

/// The account id `who` names.
async fn resolve(state: &crate::AppState, who: &Who) -> anyhow::Result<String> {
    match (&who.login, &who.id) {
        (Some(login), _) => Ok(super::identity::find(&state.store, login).await?.id),
        (None, Some(id)) => Ok(id.clone()),
        (None, None) => bail!("give --login or --id"),
    }
}

/// A management operation on citizens, in-process.
async fn operate(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    use crate::admin::citizen_types::{
        BlockRequest, ConfirmIdentityRequest, RecoveryChannel, RecoveryRequest,
    };
    use crate::admin::{Actor, Operation as Op, Role, citizen_actions, citizens, recovery, roles};
    let state = super::admin_state(config).await?;
    let actor = super::console_actor();
    let fail = |e: crate::admin::AdminError| super::explain(e, &super::flag);
    match cmd {
        UserCommand::Confirm {
            login,
            operator,
            document,
        } => {
            let operator = operator.trim();
            if operator.is_empty() {
                bail!("--operator: name the operator who saw the citizen");
            }
            if document.trim().is_empty() {
                bail!("--document: name the document presented, e.g. \"passport 4510 123456\"");
            }
            // The journal names the person at the desk: `operator:<name>`.
            let desk = Actor::named(operator.to_owned(), vec![Role::Operator]);
            let id = super::identity::find(&state.store, &login).await?.id;
            let p = super::permit(&state, &desk, Op::ConfirmIdentity).await?;
            let input = ConfirmIdentityRequest { document };
            citizen_actions::confirm_identity(&state, &p, &id, input)
                .await
                .map_err(fail)?;
            println!(
                "confirmed the identity of account {id} ({})",
                citizen_actions::operator_name(&desk)
            );
        }
        UserCommand::Search {
            query,
            name,
            limit,
            cursor,
        } => {
            let p = super::permit(&state, &actor, Op::SearchCitizens).await?;
            let q = crate::admin::citizen_types::CitizenQuery {
                q: query,
                name,
                limit: limit.map(|l| l.to_string()),
                cursor,
                ..Default::default()
            };
            let page = citizens::search(&state, &p, &q).await.map_err(fail)?;
            for a in &page.items {
                println!(
                    "{}\t{} {}\t{}\t{}\t{}\t{}\t{}",
                    a.id,
                    a.family_name,
                    a.given_name,
                    a.phone.as_deref().unwrap_or("-"),
                    a.email.as_deref().unwrap_or("-"),
                    a.snils.as_deref().unwrap_or("-"),
                    a.trust_level,
                    a.status
                );
            }
            if let Some(next) = page.next_cursor {
                println!("more: --cursor {next}");
            }
        }
        UserCommand::Show(who) => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::ViewCitizen).await?;
            let citizen = citizens::view(&state, &p, &id).await.map_err(fail)?;
            println!("{}", serde_json::to_string_pretty(&citizen)?);
        }
        UserCommand::Block { who, reason } => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::BlockCitizen).await?;
            let r = citizen_actions::block(&state, &p, &id, BlockRequest { reason })
                .await
                .map_err(fail)?;
            println!("blocked account {id}; {} sessions ended", r.sessions_ended);
        }
        UserCommand::Unblock(who) => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::UnblockCitizen).await?;
            citizen_actions::unblock(&state, &p, &id)
                .await
                .map_err(fail)?;
            println!("unblocked account {id}");
        }
        UserCommand::Unlock(who) => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::UnlockCitizen).await?;
            citizen_actions::unlock(&state, &p, &id)
                .await
                .map_err(fail)?;
            println!("cleared the lockouts of account {id}");
        }
        UserCommand::ResetFactors(who) => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::ResetSecondFactors).await?;
            citizen_actions::reset_second_factors(&state, &p, &id)
                .await
                .map_err(fail)?;
            println!("removed every second factor of account {id}");
        }
        UserCommand::EndSessions(who) => {
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::EndSessions).await?;
            let r = citizen_actions::end_sessions(&state, &p, &id)
                .await
                .map_err(fail)?;
            println!("ended {} sessions of account {id}", r.sessions_ended);
        }
        UserCommand::Recover { who, channel } => {
            let channel = match channel.as_deref() {
                None => None,
                Some("sms") => Some(RecoveryChannel::Sms),
                Some("email") => Some(RecoveryChannel::Email),
                Some(other) => bail!("--channel {other}: use sms or email"),
            };
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::StartRecovery).await?;
            let r = recovery::start(&state, &p, &id, RecoveryRequest { channel })
                .await
                .map_err(fail)?;
            println!("recovery link sent to {}", r.sent_to);
        }
        UserCommand::GrantRole { who, role } => {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role {role}: use admin, operator or auditor"))?;
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::GrantRole).await?;
            let r = roles::grant(&state, &p, &id, role).await.map_err(fail)?;
            println!("account {id} roles: {}", role_list(&r.roles));
        }
        UserCommand::RevokeRole { who, role } => {
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role {role}: use admin, operator or auditor"))?;
            let id = resolve(&state, &who).await?;
            let p = super::permit(&state, &actor, Op::RevokeRole).await?;
            let r = roles::revoke(&state, &p, &id, role).await.map_err(fail)?;
            println!("account {id} roles: {}", role_list(&r.roles));
        }
        UserCommand::Add { .. } | UserCommand::List | UserCommand::PostalCode { .. } => {}
    }
    Ok(())
}

fn role_list(roles: &[crate::admin::Role]) -> String {
    if roles.is_empty() {
        return "none".into();
    }
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
