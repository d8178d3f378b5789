//! Template structs: the data each hosted page shows, nothing else.

use super::i18n::{Locale, Texts};
use askama::Template;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub action: &'a str,
    pub csrf: &'a str,
    /// Prefilled login (the portal's `login_hint`, or what the citizen typed).
    pub login: &'a str,
    pub error: Option<&'static str>,
    /// `login` | `password`: which field the error is about.
    pub error_field: Option<&'static str>,
    pub client_name: &'a str,
    pub switch_url: &'a str,
    pub lc: Locale,
    pub register_url: &'a str,
    pub recover_url: &'a str,
    /// "Log in with an electronic signature", when certificate login is on.
    pub certificate_url: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub action: &'a str,
    pub csrf: &'a str,
    pub client_name: &'a str,
    pub account_name: &'a str,
    pub scopes: Vec<&'static str>,
    pub switch_url: &'a str,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub heading: &'static str,
    pub message: &'static str,
    pub code: &'a str,
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
pub struct LogoutConfirmPage<'a> {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub action: &'a str,
    pub csrf: &'a str,
    /// Parameters of the logout request, carried to the confirmation.
    pub hidden: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "logged_out.html")]
pub struct LoggedOutPage {
    pub t: &'static Texts,
    pub lang: &'static str,
}
