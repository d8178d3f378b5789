//! Hosted pages: askama templates (`templates/`), their structs and the texts.
//! Server-rendered, auto-escaped, no JavaScript except the password page's live hints (progressive: the
//! server enforces every rule) and the passkey pages' WebAuthn calls (the browser API
//! has no form equivalent).

mod account_pages;
mod catalog;
mod catalog_errors;
mod catalog_security;
mod i18n;
mod pages;

pub use account_pages::{
    CabinetPage, CodePage, FactorPage, FieldErrors, LevelPage, NoticePage, PasskeyItem,
    PasskeyStepPage, PasskeysPage, PasswordPage, PersonalFields, RecoverPage, RegisterPage,
    SecurityPage,
};
pub use account_pages::{LoginHistoryRow, PasswordChangePage, SessionRow, SessionsPage};
pub use catalog::has_key as has_text;
pub use i18n::{Locale, Texts};
pub use pages::{ConsentPage, ErrorPage, LoggedOutPage, LoginPage, LogoutConfirmPage};

pub fn render<T: askama::Template>(page: &T) -> Result<String, askama::Error> {
    page.render()
}

#[cfg(test)]
mod tests;
