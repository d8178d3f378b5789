//! Who may do what. One function turns a caller's token into roles ([`roles_from`]),
//! one table says which roles each operation needs ([`Operation::allowed`]), and one
//! function hands out a [`Permit`] for an operation or records the refusal
//! ([`permit`]). Operations take the permit, so none can run without passing here.

use super::AdminError;
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Roles of the management API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// Service-centre work: look citizens up, confirm identities, unlock, restore access,
    /// reset second factors, end sessions.
    Operator,
    /// Reads the audit journal.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Operator, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The OAuth scope that carries the role in an access token.
    pub fn scope(self) -> &'static str {
        match self {
            Role::Admin => "propusk:admin",
            Role::Operator => "propusk:operator",
            Role::Auditor => "propusk:auditor",
        }
    }

    pub fn from_scope(scope: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.scope() == scope)
    }
}

/// The caller's roles from its token: a service account (client credentials) has the
/// roles its scopes name; a citizen has a role only when the token carries its scope
/// AND the account holds it (`account_roles`), so a portal cannot lend a citizen powers
/// the citizen was never given, and a role alone does not arm every token.
pub fn roles_from(scopes: &[String], account_roles: Option<&[String]>) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::new();
    for role in scopes.iter().filter_map(|s| Role::from_scope(s)) {
        let held = account_roles.is_none_or(|held| held.iter().any(|h| h == role.as_str()));
        if held && !out.contains(&role) {
            out.push(role);
        }
    }
    out
}

/// Someone using the management API or the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// As the journal records it: `client:<id>`, `account:<id>` or `cli:<user>`.
    pub name: String,
    pub roles: Vec<Role>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// A service account: a client that authenticated with client credentials.
    pub fn service(client_id: &str, roles: Vec<Role>) -> Actor {
        Self::named(format!("client:{client_id}"), roles)
    }

    /// A citizen's account holding roles.
    pub fn citizen(account_id: &str, roles: Vec<Role>) -> Actor {
        Self::named(format!("account:{account_id}"), roles)
    }

    /// Someone at the server's console: whoever can read the configuration and the
    /// database already holds every power, so the CLI acts with the role it is given.
    pub fn cli(user: &str, role: Role) -> Actor {
        Self::named(format!("cli:{user}"), vec![role])
    }

    pub fn named(name: String, roles: Vec<Role>) -> Actor {
        Actor {
            name,
            roles,
            ip: None,
            user_agent: None,
        }
    }
}

/// Every operation of the management API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    ListClients,
    ReadClient,
    CreateClient,
    UpdateClient,
    DeleteClient,
    RotateClientSecret,
    SearchCitizens,
    ViewCitizen,
    BlockCitizen,
    UnblockCitizen,
    UnlockCitizen,
    ConfirmIdentity,
    ResetSecondFactors,
    StartRecovery,
    EndSessions,
    GrantRole,
    RevokeRole,
    ReadJournal,
    ExportJournal,
}

impl Operation {
    /// The role table: who may run each operation.
    pub fn allowed(self) -> &'static [Role] {
        use Operation::*;
        use Role::*;
        match self {
            ListClients | ReadClient | CreateClient | UpdateClient | DeleteClient
            | RotateClientSecret => &[Admin],
            BlockCitizen | UnblockCitizen | GrantRole | RevokeRole => &[Admin],
            SearchCitizens | ViewCitizen | UnlockCitizen | ConfirmIdentity | ResetSecondFactors
            | StartRecovery | EndSessions => &[Admin, Operator],
            ReadJournal | ExportJournal => &[Admin, Auditor],
        }
    }

    /// The operation's name in the journal (`admin_denied` events).
    pub fn name(self) -> &'static str {
        use Operation::*;
        match self {
            ListClients => "list_clients",
            ReadClient => "read_client",
            CreateClient => "create_client",
            UpdateClient => "update_client",
            DeleteClient => "delete_client",
            RotateClientSecret => "rotate_client_secret",
            SearchCitizens => "search_citizens",
            ViewCitizen => "view_citizen",
            BlockCitizen => "block_citizen",
            UnblockCitizen => "unblock_citizen",
            UnlockCitizen => "unlock_citizen",
            ConfirmIdentity => "confirm_identity",
            ResetSecondFactors => "reset_second_factors",
            StartRecovery => "start_recovery",
            EndSessions => "end_sessions",
            GrantRole => "grant_role",
            RevokeRole => "revoke_role",
            ReadJournal => "read_journal",
            ExportJournal => "export_journal",
        }
    }
}

/// Proof that `actor` may run `operation`; only [`permit`] makes one.
#[derive(Debug, Clone)]
pub struct Permit {
    actor: Actor,
    operation: Operation,
}

impl Permit {
    /// The actor, if this permit was issued for `operation` (an operation refuses a
    /// permit issued for another one, so a read permit never runs a write).
    pub fn actor_for(&self, operation: Operation) -> Result<&Actor, AdminError> {
        if self.operation == operation {
            Ok(&self.actor)
        } else {
            Err(AdminError::Forbidden {
                operation: operation.name(),
            })
        }
    }
}

/// Let `actor` run `operation`, or refuse and journal the refusal (`admin_denied`).
pub async fn permit(
    state: &AppState,
    actor: &Actor,
    operation: Operation,
) -> Result<Permit, AdminError> {
    if operation
        .allowed()
        .iter()
        .any(|role| actor.roles.contains(role))
    {
        return Ok(Permit {
            actor: actor.clone(),
            operation,
        });
    }
    let roles: Vec<&str> = actor.roles.iter().map(|r| r.as_str()).collect();
    let event = super::event(
        state,
        actor,
        "admin_denied",
        None,
        serde_json::json!({"operation": operation.name(), "roles": roles}),
    );
    state.store.append_audit(&event).await?;
    tracing::warn!(actor = %actor.name, operation = operation.name(), "management call denied");
    Err(AdminError::Forbidden {
        operation: operation.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn service_accounts_get_the_roles_their_scopes_name() {
        let scopes = v(&["propusk:operator", "api.read", "propusk:auditor"]);
        assert_eq!(
            roles_from(&scopes, None),
            vec![Role::Operator, Role::Auditor]
        );
        assert!(roles_from(&v(&["openid"]), None).is_empty());
    }

    #[test]
    fn citizens_need_both_the_scope_and_the_role() {
        let scopes = v(&["openid", "propusk:admin", "propusk:auditor"]);
        assert_eq!(
            roles_from(&scopes, Some(&v(&["auditor"]))),
            vec![Role::Auditor]
        );
        assert!(roles_from(&v(&["openid"]), Some(&v(&["admin"]))).is_empty());
    }

    #[test]
    fn the_table_gives_admin_everything() {
        use Operation::*;
        for op in [ListClients, BlockCitizen, ConfirmIdentity, ExportJournal] {
            assert!(op.allowed().contains(&Role::Admin));
        }
        assert!(!BlockCitizen.allowed().contains(&Role::Operator));
        assert!(UnlockCitizen.allowed().contains(&Role::Operator));
        assert!(!ViewCitizen.allowed().contains(&Role::Auditor));
        assert!(ReadJournal.allowed().contains(&Role::Auditor));
    }
}
