//! Operators' identity work from the command line: confirm an identity in person
//! (recording who, when and by which document) and issue the confirmation code that is
//! sent by registered post. Both need an account whose personal data is verified
//! (standard): the confirmed level sits on top of the registry check.

use super::now;
use crate::account::{TrustLevel, login_candidates};
use crate::authn::codes::OneTimeCode;
use crate::config::Config;
use crate::http::account::POSTAL_DIGITS;
use crate::secret::random_id;
use crate::store::Store;
use crate::store::audit::AuditEvent;
use crate::store::codes::CodeRow;
use crate::store::levels::Confirmation;
use crate::store::records::AccountRecord;
use anyhow::{anyhow, bail};

/// The account a login (phone, e-mail or SNILS) names.
pub async fn find(store: &Store, login: &str) -> anyhow::Result<AccountRecord> {
    let candidates = login_candidates(login).map_err(|e| anyhow!("--login: {e}"))?;
    for key in &candidates {
        if let Some(a) = store.account_by_login(key).await? {
            return Ok(a);
        }
    }
    bail!("--login: no account with this phone, e-mail or SNILS")
}

fn require_standard(a: &AccountRecord) -> anyhow::Result<()> {
    match TrustLevel::parse(&a.trust_level) {
        Some(TrustLevel::Standard) => Ok(()),
        Some(TrustLevel::Confirmed) => bail!("the account is already confirmed"),
        _ => bail!(
            "the account is {}: its personal data must be verified first (standard level)",
            a.trust_level
        ),
    }
}

pub async fn confirm(
    config: &Config,
    login: &str,
    operator: &str,
    document: &str,
) -> anyhow::Result<()> {
    let operator = operator.trim();
    let document = document.trim();
    if operator.is_empty() {
        bail!("--operator: name the operator who saw the citizen");
    }
    if document.is_empty() {
        bail!("--document: name the document presented, e.g. \"passport 4510 123456\"");
    }
    let store = crate::server::open_store(config).await?;
    let account = find(&store, login).await?;
    require_standard(&account)?;
    let actor = format!("operator:{operator}");
    let raised = store
        .confirm_identity(&Confirmation {
            account_id: &account.id,
            method: "operator",
            actor: &actor,
            document: Some(document),
            at: now(),
        })
        .await?;
    if !raised {
        bail!("the account's level changed meanwhile; look again with `propusk user list`");
    }
    println!(
        "confirmed the identity of account {} ({actor}, {document})",
        account.id
    );
    Ok(())
}

pub async fn postal_code(config: &Config, login: &str) -> anyhow::Result<()> {
    let store = crate::server::open_store(config).await?;
    let account = find(&store, login).await?;
    require_standard(&account)?;
    let t = now();
    // A new letter voids the previous one's code.
    store.void_codes_for(&account.id, "postal", t).await?;
    let id = random_id();
    let code = OneTimeCode::generate(POSTAL_DIGITS);
    let ttl = config.codes.postal_ttl;
    store
        .insert_code_row(&CodeRow {
            id: id.clone(),
            purpose: "postal".into(),
            binding_hash: None,
            account_id: Some(account.id.clone()),
            channel: "post".into(),
            target: String::new(),
            payload: "{}".into(),
            code_hash: code.hash(&id),
            attempts: 0,
            sends: 1,
            last_sent_at: t,
            created_at: t,
            expires_at: t + ttl,
            verified_at: None,
            consumed_at: None,
        })
        .await?;
    store
        .append_audit(&AuditEvent::new(
            t,
            "postal_code_issued",
            &account.id,
            "operator",
            serde_json::json!({"expires_at": t + ttl}),
        ))
        .await?;
    println!(
        "postal confirmation code for account {}: {}\nvalid for {} days; print it in the letter, it is not shown again",
        account.id,
        code.expose(),
        ttl / 86_400
    );
    Ok(())
}
