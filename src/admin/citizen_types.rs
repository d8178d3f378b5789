//! Citizens as the management API shows them to operators, and the inputs of the
//! operations on them.

use super::access::Role;
use crate::store::factors::FactorSummary;
use crate::store::personal::PersonalRow;
use crate::store::records::{AccountRecord, SessionRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A line of search results.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitizenSummary {
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub middle_name: Option<String>,
    /// `+7XXXXXXXXXX`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 11 digits.
    pub snils: Option<String>,
    /// `simplified` | `standard` | `confirmed`.
    pub trust_level: String,
    /// `active` | `blocked`.
    pub status: String,
    pub created_at: i64,
}

impl From<&AccountRecord> for CitizenSummary {
    fn from(a: &AccountRecord) -> Self {
        CitizenSummary {
            id: a.id.clone(),
            family_name: a.family_name.clone(),
            given_name: a.given_name.clone(),
            middle_name: a.middle_name.clone(),
            phone: a.phone.clone(),
            email: a.email.clone(),
            snils: a.snils.clone(),
            trust_level: a.trust_level.clone(),
            status: a.status.clone(),
            created_at: a.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitizenPage {
    pub items: Vec<CitizenSummary>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Search filters; all given ones must match. `q` is a phone, e-mail or SNILS typed in
/// any format, else words of the name.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitizenQuery {
    /// A phone, e-mail or SNILS in any format, or words of the name.
    pub q: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub snils: Option<String>,
    /// Words that must all occur in the full name ("Иванов Иван").
    pub name: Option<String>,
    /// 1 to 100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Everything an operator needs to see about one citizen.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Citizen {
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub email: Option<String>,
    pub email_verified: bool,
    pub snils: Option<String>,
    pub trust_level: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// `null` until personal data was submitted.
    pub personal_data: Option<PersonalDataView>,
    pub factors: Factors,
    pub lockout: Lockout,
    /// Live sessions, newest first.
    pub sessions: Vec<SessionView>,
    pub roles: Vec<Role>,
}

impl Citizen {
    pub fn new(
        a: &AccountRecord,
        personal: Option<&PersonalRow>,
        factors: &FactorSummary,
        lockout: Lockout,
        sessions: &[SessionRecord],
        roles: Vec<Role>,
    ) -> Citizen {
        Citizen {
            id: a.id.clone(),
            family_name: a.family_name.clone(),
            given_name: a.given_name.clone(),
            middle_name: a.middle_name.clone(),
            phone: a.phone.clone(),
            phone_verified: a.phone_verified,
            email: a.email.clone(),
            email_verified: a.email_verified,
            snils: a.snils.clone(),
            trust_level: a.trust_level.clone(),
            status: a.status.clone(),
            created_at: a.created_at,
            updated_at: a.updated_at,
            personal_data: personal.map(PersonalDataView::from),
            factors: Factors {
                totp: factors.totp,
                recovery_codes_left: factors.recovery_codes_left,
                passkeys: factors.passkeys,
                require_second_factor: factors.require_second_factor,
            },
            lockout,
            sessions: sessions.iter().map(SessionView::from).collect(),
            roles,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonalDataView {
    /// `pending` | `verified` | `rejected` | `failed`.
    pub state: String,
    pub state_reason: Option<String>,
    pub verified_at: Option<i64>,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub passport_series: Option<String>,
    pub passport_number: Option<String>,
    pub passport_issued: Option<String>,
    pub passport_issuer: Option<String>,
    pub passport_issuer_code: Option<String>,
    pub inn: Option<String>,
}

impl From<&PersonalRow> for PersonalDataView {
    fn from(p: &PersonalRow) -> Self {
        PersonalDataView {
            state: p.state.clone(),
            state_reason: p.state_reason.clone(),
            verified_at: p.verified_at,
            birth_date: p.birth_date.clone(),
            gender: p.gender.clone(),
            passport_series: p.passport_series.clone(),
            passport_number: p.passport_number.clone(),
            passport_issued: p.passport_issued.clone(),
            passport_issuer: p.passport_issuer.clone(),
            passport_issuer_code: p.passport_issuer_code.clone(),
            inn: p.inn.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Factors {
    /// A confirmed TOTP authenticator.
    pub totp: bool,
    pub recovery_codes_left: i64,
    pub passkeys: i64,
    /// The citizen asked for a second factor at every login.
    pub require_second_factor: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Lockout {
    pub failed_logins: i64,
    /// Unix seconds; `null` or past: not locked.
    pub locked_until: Option<i64>,
    pub failed_factors: i64,
    pub factors_locked_until: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub acr: String,
    pub amr: Vec<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl From<&SessionRecord> for SessionView {
    fn from(s: &SessionRecord) -> Self {
        SessionView {
            id: s.id.clone(),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            acr: s.acr.clone(),
            amr: s.amr.clone(),
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
        }
    }
}

/// Why a citizen is blocked, for the journal.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockRequest {
    /// 1 to 500 characters, not only spaces, no control characters.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub reason: String,
}

/// An identity confirmed in person.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmIdentityRequest {
    /// The document presented, e.g. "passport 4510 123456" (1 to 200 characters, not
    /// only spaces, no control characters).
    #[schema(
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub document: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecoveryChannel {
    Sms,
    Email,
}

/// Where to send the recovery instructions: a confirmed contact of the account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryRequest {
    /// Default: the confirmed phone, else the confirmed e-mail.
    #[serde(default)]
    pub channel: Option<RecoveryChannel>,
}

/// The outcome of an action on a citizen.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitizenAction {
    pub id: String,
    pub status: String,
    pub trust_level: String,
    /// Sessions this action ended.
    pub sessions_ended: u64,
}

/// Recovery instructions are on their way.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryStarted {
    pub id: String,
    pub channel: RecoveryChannel,
    /// The contact, masked (`+7 912 ***-**-89`).
    pub sent_to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CitizenRoles {
    pub id: String,
    pub roles: Vec<Role>,
}
