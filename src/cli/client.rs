//! `propusk client add|list|show|update|rotate-secret|remove`: relying portals, through
//! the same operations as `/admin/v1/clients` (`crate::admin::clients`).

use super::{admin_state, console_actor, explain, flag, permit};
use crate::admin::client_types::{
    AuthMethod, ClientPatch, GrantType, IdTokenAlg, Level, NewClient,
};
use crate::admin::{AdminError, Operation, clients};
use crate::config::Config;
use anyhow::anyhow;
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
        /// Exact redirect URI (repeat for several; none for a service account).
        #[arg(long = "redirect-uri", num_args = 1..)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may return (repeat for several).
        #[arg(long = "post-logout-redirect-uri", num_args = 1..)]
        post_logout_redirect_uris: Vec<String>,
        /// A public client (no secret; PKCE required), e.g. a mobile or single-page app.
        #[arg(long)]
        public: bool,
        /// Allowed scopes (default: openid profile email phone); `propusk:admin`,
        /// `propusk:operator`, `propusk:auditor` make a management service account.
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
        #[command(flatten)]
        settings: Settings,
    },
    /// List registered portals.
    List,
    /// Show one portal as JSON.
    Show { id: String },
    /// Change a portal; options not given stay as they are.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// Replaces the list (repeat for several).
        #[arg(long = "redirect-uri", num_args = 1..)]
        redirect_uris: Option<Vec<String>>,
        #[arg(long = "post-logout-redirect-uri", num_args = 1..)]
        post_logout_redirect_uris: Option<Vec<String>>,
        #[arg(long = "scope", num_args = 1..)]
        scopes: Option<Vec<String>>,
        #[arg(long = "grant-type", num_args = 1..)]
        grant_types: Option<Vec<String>>,
        #[arg(long)]
        auth_method: Option<String>,
        #[arg(long)]
        id_token_alg: Option<String>,
        #[arg(long)]
        min_trust_level: Option<String>,
        /// Turn the portal off (it is then unknown at every protocol endpoint) or on.
        #[arg(long)]
        enabled: Option<bool>,
        #[command(flatten)]
        settings: Settings,
    },
    /// Print a new secret once; the old one stops working at once.
    RotateSecret { id: String },
    /// Remove a portal with its consents, codes and tokens.
    Remove { id: String },
}

/// Settings both `add` and `update` take.
#[derive(Debug, clap::Args)]
pub struct Settings {
    /// OIDC back-channel logout endpoint (`update`: an empty value removes it).
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// Every login to this portal needs a second factor (true or false).
    #[arg(long)]
    require_second_factor: Option<bool>,
    /// Seconds, at most the server's own (`update`: 0 returns to the server's).
    #[arg(long)]
    access_token_ttl: Option<i64>,
    #[arg(long)]
    id_token_ttl: Option<i64>,
    #[arg(long)]
    refresh_token_ttl: Option<i64>,
}

pub async fn run(config: &Config, cmd: ClientCommand) -> anyhow::Result<()> {
    let state = admin_state(config).await?;
    let actor = console_actor();
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
            settings,
        } => {
            let input = new_client(Spec {
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
                settings,
            })?;
            let p = permit(&state, &actor, Operation::CreateClient).await?;
            let created = clients::create(&state, &p, input)
                .await
                .map_err(|e| explain(e, &flag_of))?;
            println!("client_id:     {}", created.client.id);
            match created.client_secret {
                Some(s) => {
                    println!("client_secret: {s}");
                    println!("(the secret is shown only now; propusk keeps just its hash)");
                }
                None => println!("public client: no secret, PKCE (S256) required"),
            }
        }
        ClientCommand::List => {
            let p = permit(&state, &actor, Operation::ListClients).await?;
            for c in clients::list(&state, &p)
                .await
                .map_err(|e| explain(e, &flag))?
                .items
            {
                let kind = if c.public {
                    "public"
                } else {
                    c.auth_method.as_str()
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
        ClientCommand::Show { id } => {
            let p = permit(&state, &actor, Operation::ReadClient).await?;
            let c = clients::get(&state, &p, &id)
                .await
                .map_err(|e| not_registered(e, &id))?;
            println!("{}", serde_json::to_string_pretty(&c)?);
        }
        ClientCommand::Update {
            id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            scopes,
            grant_types,
            auth_method,
            id_token_alg,
            min_trust_level,
            enabled,
            settings,
        } => {
            let ttl = |v: Option<i64>| v.map(|t| (t != 0).then_some(t));
            let patch = ClientPatch {
                name,
                redirect_uris,
                post_logout_redirect_uris,
                backchannel_logout_uri: settings
                    .backchannel_logout_uri
                    .map(|u| (!u.is_empty()).then_some(u)),
                scopes: scopes.map(|s| split_scopes(&s)),
                grant_types: grant_types.as_deref().map(parse_grants).transpose()?,
                auth_method: auth_method.as_deref().map(parse_auth).transpose()?,
                id_token_alg: id_token_alg.as_deref().map(parse_alg).transpose()?,
                min_trust_level: min_trust_level.as_deref().map(parse_level).transpose()?,
                require_second_factor: settings.require_second_factor,
                access_token_ttl: ttl(settings.access_token_ttl),
                id_token_ttl: ttl(settings.id_token_ttl),
                refresh_token_ttl: ttl(settings.refresh_token_ttl),
                enabled,
            };
            let p = permit(&state, &actor, Operation::UpdateClient).await?;
            let c = clients::update(&state, &p, &id, patch)
                .await
                .map_err(|e| not_registered(e, &id))?;
            println!("{}", serde_json::to_string_pretty(&c)?);
        }
        ClientCommand::RotateSecret { id } => {
            let p = permit(&state, &actor, Operation::RotateClientSecret).await?;
            let r = clients::rotate_secret(&state, &p, &id)
                .await
                .map_err(|e| not_registered(e, &id))?;
            println!("client_id:     {}", r.client_id);
            println!("client_secret: {}", r.client_secret);
            println!("(the secret is shown only now; the previous one no longer works)");
        }
        ClientCommand::Remove { id } => {
            let p = permit(&state, &actor, Operation::DeleteClient).await?;
            clients::delete(&state, &p, &id)
                .await
                .map_err(|e| not_registered(e, &id))?;
            println!("removed client {id}");
        }
    }
    Ok(())
}

fn not_registered(e: AdminError, id: &str) -> anyhow::Error {
    match e {
        AdminError::NotFound(_) => anyhow!("client {id}: not registered"),
        other => explain(other, &flag_of),
    }
}

/// The option that sets an API field.
fn flag_of(field: &str) -> String {
    match field {
        "redirect_uris" => "--redirect-uri".into(),
        "post_logout_redirect_uris" => "--post-logout-redirect-uri".into(),
        "scopes" => "--scope".into(),
        "grant_types" => "--grant-type".into(),
        other => flag(other),
    }
}

/// What `propusk client add` was given.
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
    pub settings: Settings,
}

/// The registration the API would receive; the names of closed sets are parsed here,
/// everything else is checked by the operation (`admin::client_rules`).
pub fn new_client(s: Spec) -> anyhow::Result<NewClient> {
    Ok(NewClient {
        id: s.id,
        name: s.name,
        public: s.public,
        redirect_uris: s.redirect_uris,
        post_logout_redirect_uris: s.post_logout_redirect_uris,
        backchannel_logout_uri: s.settings.backchannel_logout_uri,
        scopes: (!s.scopes.is_empty()).then(|| split_scopes(&s.scopes)),
        grant_types: (!s.grant_types.is_empty())
            .then(|| parse_grants(&s.grant_types))
            .transpose()?,
        auth_method: s.auth_method.as_deref().map(parse_auth).transpose()?,
        id_token_alg: Some(parse_alg(&s.id_token_alg)?),
        min_trust_level: Some(parse_level(&s.min_trust_level)?),
        require_second_factor: s.settings.require_second_factor.unwrap_or(false),
        access_token_ttl: s.settings.access_token_ttl,
        id_token_ttl: s.settings.id_token_ttl,
        refresh_token_ttl: s.settings.refresh_token_ttl,
        enabled: Some(true),
    })
}

/// `--scope "openid email" --scope phone,profile` → four scopes.
fn split_scopes(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([' ', ',']))
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_grants(values: &[String]) -> anyhow::Result<Vec<GrantType>> {
    values
        .iter()
        .map(|g| {
            GrantType::parse(g)
                .ok_or_else(|| anyhow!("--grant-type {g}: use one of {}", GrantType::NAMES.trim()))
        })
        .collect()
}

fn parse_auth(v: &str) -> anyhow::Result<AuthMethod> {
    AuthMethod::parse(v)
        .ok_or_else(|| anyhow!("--auth-method {v}: use client_secret_basic or client_secret_post"))
}

fn parse_alg(v: &str) -> anyhow::Result<IdTokenAlg> {
    IdTokenAlg::parse(v).ok_or_else(|| anyhow!("--id-token-alg {v}: use RS256, ES256 or EdDSA"))
}

fn parse_level(v: &str) -> anyhow::Result<Level> {
    Level::parse(v)
        .ok_or_else(|| anyhow!("--min-trust-level {v}: use simplified, standard or confirmed"))
}

/// Refuse a registration with the operation's rules, naming the options.
#[cfg(test)]
fn check(s: Spec, limits: &crate::config::TokenConfig) -> anyhow::Result<()> {
    let spec = crate::admin::client_rules::ClientSpec::from_new(new_client(s)?);
    crate::admin::client_rules::check(&spec, limits).map_err(|e| explain(e, &flag_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenConfig;

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
            settings: Settings {
                backchannel_logout_uri: None,
                require_second_factor: None,
                access_token_ttl: None,
                id_token_ttl: None,
                refresh_token_ttl: None,
            },
        }
    }

    #[test]
    fn scopes_are_split_and_defaults_follow_them() {
        let n = new_client(spec()).unwrap();
        let s = crate::admin::client_rules::ClientSpec::from_new(n);
        assert_eq!(s.scopes, vec!["openid", "email", "offline_access"]);
        assert_eq!(
            s.grant_types,
            vec![GrantType::AuthorizationCode, GrantType::RefreshToken]
        );
        assert!(check(spec(), &TokenConfig::default()).is_ok());
    }

    #[test]
    fn bad_input_names_the_option() {
        let limits = TokenConfig::default();
        let mut s = spec();
        s.redirect_uris = vec!["http://tax.example/cb".into()];
        let e = check(s, &limits).unwrap_err().to_string();
        assert!(e.starts_with("--redirect-uri"), "{e}");
        let mut s = spec();
        s.id = "bad id".into();
        let e = check(s, &limits).unwrap_err().to_string();
        assert!(e.starts_with("--id"), "{e}");
        let mut s = spec();
        s.public = true;
        s.grant_types = vec!["client_credentials".into()];
        let e = check(s, &limits).unwrap_err().to_string();
        assert!(e.starts_with("--grant-type"), "{e}");
        let mut s = spec();
        s.settings.access_token_ttl = Some(i64::MAX);
        let e = check(s, &limits).unwrap_err().to_string();
        assert!(e.starts_with("--access-token-ttl"), "{e}");
    }
}
