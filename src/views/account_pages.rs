//! Template structs of the account pages: registration, code entry, new password,
//! recovery, the cabinet, notices and the trust-level page.

use super::i18n::{Locale, Texts};
use askama::Template;

/// Field errors: (field name, message).
pub type FieldErrors = Vec<(&'static str, String)>;

fn has(errors: &FieldErrors, field: &str) -> bool {
    errors.iter().any(|(f, _)| *f == field)
}

#[derive(Template)]
#[template(path = "register.html")]
pub struct RegisterPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub switch_url: &'a str,
    pub csrf: &'a str,
    pub interaction: &'a str,
    pub login_url: &'a str,
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub middle_name: &'a str,
    pub contact: &'a str,
    pub errors: FieldErrors,
}

impl RegisterPage<'_> {
    pub fn has_error(&self, field: &str) -> bool {
        has(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "code.html")]
pub struct CodePage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub action: &'a str,
    /// Empty: no resend button.
    pub resend_action: &'a str,
    pub csrf: &'a str,
    pub sent_to: &'a str,
    pub code: &'a str,
    pub error: Option<&'static str>,
    pub info: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "password_set.html")]
pub struct PasswordPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub action: &'a str,
    pub csrf: &'a str,
    /// (rule key for the page's script, text)
    pub rules: Vec<(&'static str, &'static str)>,
    pub suggested: &'a str,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "recover.html")]
pub struct RecoverPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub switch_url: &'a str,
    pub csrf: &'a str,
    pub interaction: &'a str,
    pub login: &'a str,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticePage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub heading: &'a str,
    pub text: &'a str,
    pub alert: bool,
    pub links: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "level_required.html")]
pub struct LevelPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub client_name: &'a str,
    pub required: &'static str,
    pub current: &'static str,
    pub how: &'static str,
    pub action: &'a str,
    pub csrf: &'a str,
}

/// The personal-data form's values (as typed, or as stored).
#[derive(Debug, Clone, Default)]
pub struct PersonalFields {
    pub birth_date: String,
    pub gender: String,
    pub passport_series: String,
    pub passport_number: String,
    pub passport_issued: String,
    pub passport_issuer: String,
    pub passport_issuer_code: String,
    pub snils: String,
    pub inn: String,
}

#[derive(Template)]
#[template(path = "cabinet.html")]
pub struct CabinetPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub switch_url: &'a str,
    pub csrf: &'a str,
    pub name: &'a str,
    /// `simplified` | `standard` | `confirmed`
    pub level: &'static str,
    pub level_text: &'static str,
    pub phone: &'a str,
    pub email: &'a str,
    pub snils: &'a str,
    /// `none` | `pending` | `verified` | `rejected` | `failed`
    pub data_state: &'a str,
    pub data_state_text: String,
    pub frozen: bool,
    pub f: PersonalFields,
    pub flash: Option<&'static str>,
    pub errors: FieldErrors,
    pub history: Vec<(String, &'static str)>,
    /// Bound electronic-signature certificates: (subject, valid until).
    pub certificates: Vec<(String, String)>,
    /// Where to bind one (the mutual-TLS origin), when certificate login is on.
    pub certificate_url: Option<String>,
}

impl CabinetPage<'_> {
    pub fn has_error(&self, field: &str) -> bool {
        has(&self.errors, field)
    }
}

#[derive(Template)]
#[template(path = "factor.html")]
pub struct FactorPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub csrf: &'a str,
    /// The paused portal login, if any (carried through the forms).
    pub interaction: &'a str,
    pub totp: bool,
    pub recovery: bool,
    pub passkeys: bool,
    /// Masked confirmed contacts a code can go to.
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub trust_days: i64,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "security.html")]
pub struct SecurityPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub csrf: &'a str,
    pub totp: bool,
    /// An enrolment in progress: the QR code (SVG data URI) and the secret in base32.
    pub enrolling: Option<(String, String)>,
    pub recovery_left: i64,
    /// Freshly generated recovery codes, shown once.
    pub new_codes: Vec<String>,
    pub require: bool,
    pub flash: Option<&'static str>,
    pub error: Option<&'static str>,
}

/// One passkey in the cabinet's list.
#[derive(Debug, Clone)]
pub struct PasskeyItem {
    pub credential_id: String,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "passkeys.html")]
pub struct PasskeysPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub csrf: &'a str,
    pub passkeys: Vec<PasskeyItem>,
    /// Passkeys need a domain-name issuer; off otherwise.
    pub available: bool,
    pub flash: Option<&'static str>,
    pub error: Option<&'static str>,
}

/// "Use your passkey": as a second factor, or to log in without a password.
#[derive(Template)]
#[template(path = "passkey_step.html")]
pub struct PasskeyStepPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub heading: &'static str,
    pub sub: &'static str,
    pub csrf: &'a str,
    /// Where the script posts to start and to finish the ceremony.
    pub start: &'a str,
    pub finish: &'a str,
    /// The paused portal login, if any.
    pub interaction: &'a str,
    /// Ask for the login (passwordless), prefilled with this.
    pub ask_login: bool,
    pub login: &'a str,
    /// Offer "trust this browser" for this many days (0: not offered).
    pub trust_days: i64,
    pub available: bool,
    pub back_url: &'a str,
    pub back_text: &'static str,
}

/// One live session on the sessions page.
pub struct SessionRow {
    pub id: String,
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
    pub method: String,
    pub current: bool,
}

/// One entry of the login history.
pub struct LoginHistoryRow {
    pub when: String,
    pub what: &'static str,
    pub method: String,
    pub ip: String,
    pub device: String,
    /// A failure or a lock: shown as a warning.
    pub alarm: bool,
}

/// The citizen's sessions and devices, and their login history.
#[derive(Template)]
#[template(path = "sessions.html")]
pub struct SessionsPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub switch_url: &'a str,
    pub csrf: &'a str,
    pub flash: Option<&'static str>,
    pub sessions: Vec<SessionRow>,
    pub history: Vec<LoginHistoryRow>,
}

impl SessionsPage<'_> {
    pub fn has_others(&self) -> bool {
        self.sessions.iter().any(|s| !s.current)
    }
}

/// Changing the password: the current one, then a new one under the policy.
#[derive(Template)]
#[template(path = "password_change.html")]
pub struct PasswordChangePage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub l: Locale,
    pub csrf: &'a str,
    /// (rule key for the page's script, text)
    pub rules: Vec<(&'static str, &'static str)>,
    pub suggested: &'a str,
    pub errors: Vec<String>,
    /// The field the error is about: `current_password` or `password`.
    pub error_field: Option<&'static str>,
}
