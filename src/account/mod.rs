//! The citizen's account: identifiers (phone, e-mail, SNILS), name, personal data,
//! trust level and the password policy. Pure domain types: no storage, no HTTP.

mod contact;
mod documents;
mod identifiers;
mod name;
mod password_policy;
mod trust;

pub use contact::{contact_of, masked};
pub use documents::{
    DocumentError, Gender, Inn, Passport, PersonalData, PersonalDataForm, parse_date,
};
pub use identifiers::{Email, IdentifierError, Phone, Snils, login_candidates};
pub use name::{NameError, PersonName};
pub use password_policy::{PolicyViolation, check_password, generate_password};
pub use trust::TrustLevel;
