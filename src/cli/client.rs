//! `propusk client add|list|remove`: register relying portals.

use super::now;
use crate::account::TrustLevel;
use crate::config::Config;
use crate::keys::SigningAlg;
use crate::secret::Secret;
use crate::store::StoreError;
use crate::store::records::ClientRecord;
use anyhow::{Context as _, bail};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a portal. A confidential portal's secret is printed once.
    Add {
        /// Client id: letters, digits, `-`, `_`, `.`.
        #[arg(long)]
        id: String,
        /// Display name on the login and consent pages (default: the id).
        #[arg(long)]
        name: Option<String>,
        /// Exact redirect URI (repeat for several).
        #[arg(long = "redirect-uri", required = true, num_args = 1..)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may return (repeat for several).
        #[arg(long = "post-logout-redirect-uri", num_args = 1..)]
        post_logout_redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE required), e.g. a mobile or single-page app.
        #[arg(long)]
        public: bool,
        /// Allowed scopes (default: openid profile email phone).
        #[arg(long = "scope", num_args = 1..)]
        scopes: Vec<String>,
        /// Allowed grant types (default: authorization_code, plus refresh_token when
        /// offline_access is among the scopes).
        #[arg(long = "grant-type", num_args = 1..)]
        grant_types: Vec<String>,
        /// client_secret_basic (default) or client_secret_post.
        #[arg(long)]
        auth_method: Option<String>,
        /// ID token signing algorithm: RS256 (default), ES256 or EdDSA.
        #[arg(long, default_value = "RS256")]
        id_token_alg: String,
        /// Lowest account trust level accepted: simplified, standard, confirmed.
        #[arg(long, default_value = "simplified")]
        min_trust_level: String,
    },
    /// List registered portals.
    List,
    /// Remove a portal with its consents, codes and tokens.
    Remove { id: String },
}

pub async fn run(config: &Config, cmd: ClientCommand) -> anyhow::Result<()> {
    let store = crate::server::open_store(config).await?;
    match cmd {
        ClientCommand::Add {
            id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            public,
            scopes,
            grant_types,
            auth_method,
            id_token_alg,
            min_trust_level,
        } => {
            let secret = (!public).then(Secret::generate);
            let record = build(
                Spec {
                    id,
                    name,
                    redirect_uris,
                    post_logout_redirect_uris,
                    public,
                    scopes,
                    grant_types,
                    auth_method,
                    id_token_alg,
                    min_trust_level,
                },
                secret.as_ref(),
                now(),
            )?;
            match store.insert_client(&record).await {
                Err(StoreError::Conflict(_)) => bail!("client {}: already registered", record.id),
                other => other.context("saving the client")?,
            }
            println!("client_id:     {}", record.id);
            match secret {
                Some(s) => {
                    println!("client_secret: {}", s.expose());
                    println!("(the secret is shown only now; propusk keeps just its hash)");
                }
                None => println!("public client: no secret, PKCE (S256) required"),
            }
        }
        ClientCommand::List => {
            for c in store.list_clients().await? {
                let kind = if c.secret_hash.is_some() {
                    c.auth_method.as_str()
                } else {
                    "public"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.id,
                    kind,
                    c.scopes.join(" "),
                    c.min_trust_level,
                    c.redirect_uris.join(" ")
                );
            }
        }
        ClientCommand::Remove { id } => {
            if !store.remove_client(&id).await? {
                bail!("client {id}: not registered");
            }
            println!("removed client {id}");
        }
    }
    Ok(())
}

pub struct Spec {
    pub id: String,
    pub name: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub public: bool,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub auth_method: Option<String>,
    pub id_token_alg: String,
    pub min_trust_level: String,
}

/// Validate a registration; every error names the option.
pub fn build(s: Spec, secret: Option<&Secret>, now: i64) -> anyhow::Result<ClientRecord> {
    let id_ok = !s.id.is_empty()
        && s.id.len() <= 100
        && s.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !id_ok {
        bail!("--id: 1 to 100 characters of letters, digits, '-', '_' or '.'");
    }
    for uri in s.redirect_uris.iter().chain(&s.post_logout_redirect_uris) {
        check_uri(uri)?;
    }
    let scopes = if s.scopes.is_empty() {
        vec![
            "openid".into(),
            "profile".into(),
            "email".into(),
            "phone".into(),
        ]
    } else {
        s.scopes
            .iter()
            .flat_map(|v| v.split([' ', ',']))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut grant_types: Vec<String> = s.grant_types.clone();
    if grant_types.is_empty() {
        grant_types.push("authorization_code".into());
        if scopes.iter().any(|v| v == "offline_access") {
            grant_types.push("refresh_token".into());
        }
    }
    for g in &grant_types {
        if !matches!(
            g.as_str(),
            "authorization_code" | "refresh_token" | "client_credentials"
        ) {
            bail!("--grant-type {g}: use authorization_code, refresh_token or client_credentials");
        }
        if s.public && g == "client_credentials" {
            bail!("--grant-type client_credentials: not for a public client");
        }
    }
    let auth_method = match (s.public, s.auth_method.as_deref()) {
        (true, None | Some("none")) => "none",
        (true, Some(_)) => bail!("--auth-method: a public client authenticates with none"),
        (false, None | Some("client_secret_basic")) => "client_secret_basic",
        (false, Some("client_secret_post")) => "client_secret_post",
        (false, Some(other)) => {
            bail!("--auth-method {other}: use client_secret_basic or client_secret_post")
        }
    };
    let alg: SigningAlg = s.id_token_alg.parse().map_err(|_| {
        anyhow::anyhow!(
            "--id-token-alg {}: use RS256, ES256 or EdDSA",
            s.id_token_alg
        )
    })?;
    let level = TrustLevel::parse(&s.min_trust_level).ok_or_else(|| {
        anyhow::anyhow!(
            "--min-trust-level {}: use simplified, standard or confirmed",
            s.min_trust_level
        )
    })?;
    Ok(ClientRecord {
        name: s.name.unwrap_or_else(|| s.id.clone()),
        id: s.id,
        secret_hash: secret.map(Secret::hash),
        redirect_uris: s.redirect_uris,
        post_logout_redirect_uris: s.post_logout_redirect_uris,
        scopes,
        grant_types,
        auth_method: auth_method.to_owned(),
        id_token_alg: alg.as_str().to_owned(),
        min_trust_level: level.as_str().to_owned(),
        created_at: now,
        settings: Default::default(),
    })
}

/// Redirect URIs are absolute, without fragment (RFC 6749 §3.1.2); plain http only on
/// loopback (native apps, development).
fn check_uri(uri: &str) -> anyhow::Result<()> {
    let u = url::Url::parse(uri).map_err(|e| anyhow::anyhow!("--redirect-uri {uri}: {e}"))?;
    if u.fragment().is_some() {
        bail!("--redirect-uri {uri}: must not contain a fragment");
    }
    let loopback = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match u.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => bail!("--redirect-uri {uri}: plain http only for localhost; use https"),
        // Private-use schemes for native apps (RFC 8252 §7.1) contain a dot.
        s if s.contains('.') => Ok(()),
        s => bail!("--redirect-uri {uri}: scheme {s} is not allowed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            id: "tax".into(),
            name: None,
            redirect_uris: vec!["https://tax.example/cb".into()],
            post_logout_redirect_uris: vec![],
            public: false,
            scopes: vec!["openid email offline_access".into()],
            grant_types: vec![],
            auth_method: None,
            id_token_alg: "RS256".into(),
            min_trust_level: "simplified".into(),
        }
    }

    #[test]
    fn defaults_follow_the_scopes() {
        let s = Secret::generate();
        let c = build(spec(), Some(&s), 1).unwrap();
        assert_eq!(c.scopes, vec!["openid", "email", "offline_access"]);
        assert_eq!(c.grant_types, vec!["authorization_code", "refresh_token"]);
        assert_eq!(c.auth_method, "client_secret_basic");
        assert_eq!(c.secret_hash.as_deref(), Some(s.hash().as_str()));
    }

    #[test]
    fn bad_input_names_the_option() {
        let mut s = spec();
        s.redirect_uris = vec!["http://tax.example/cb".into()];
        assert!(
            build(s, None, 1)
                .unwrap_err()
                .to_string()
                .starts_with("--redirect-uri")
        );
        let mut s = spec();
        s.id = "bad id".into();
        assert!(
            build(s, None, 1)
                .unwrap_err()
                .to_string()
                .starts_with("--id")
        );
        let mut s = spec();
        s.public = true;
        s.grant_types = vec!["client_credentials".into()];
        assert!(
            build(s, None, 1)
                .unwrap_err()
                .to_string()
                .starts_with("--grant-type")
        );
    }
}
