//! Operators' identity work from the command line: find an account by a login, and
//! issue the confirmation code that is sent by registered post (confirming in person is
//! the management operation, `admin::citizen_actions::confirm_identity`). Both need an
//! account whose personal data is verified (standard): the confirmed level sits on top
//! of the registry check.

use super::now;
use crate::account::login_candidates;
use crate::authn::codes::OneTimeCode;
use crate::config::Config;
use crate::http::account::POSTAL_DIGITS;
use crate::secret::random_id;
use crate::store::Store;
use crate::store::audit::AuditEvent;
use crate::store::codes::CodeRow;
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

/// The confirmed level sits on top of verified data (the same rule as confirming in
/// person, `admin::citizen_actions`).
fn require_standard(a: &AccountRecord) -> anyhow::Result<()> {
    crate::admin::citizen_actions::require_standard(a).map_err(|e| anyhow!("{e}"))
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
