//! The "choose a password" step shared by registration and recovery: the ESIA policy
//! as a checklist (the page's script ticks it live; the server decides), a generated
//! suggestion, and the check itself.

use crate::account::{PolicyViolation, check_password, generate_password};
use crate::error::AppError;
use crate::http::pages;
use crate::oidc::Params;
use crate::views::{Locale, PasswordPage};
use axum::http::StatusCode;
use axum::response::Response;

const RULES: [(&str, PolicyViolation); 8] = [
    ("length", PolicyViolation::TooShort),
    ("upper", PolicyViolation::NoUpper),
    ("lower", PolicyViolation::NoLower),
    ("digit", PolicyViolation::NoDigit),
    ("special", PolicyViolation::NoSpecial),
    ("sequence", PolicyViolation::SequentialDigits),
    ("common", PolicyViolation::CommonWord),
    ("personal", PolicyViolation::PersonalData),
];

fn message(v: PolicyViolation, l: Locale) -> &'static str {
    match l {
        Locale::Ru => v.message_ru(),
        Locale::En => v.message_en(),
    }
}

pub fn page(
    l: Locale,
    action: &str,
    csrf: &str,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let suggested = generate_password();
    let p = PasswordPage {
        t: l.texts(),
        lang: l.code(),
        l,
        action,
        csrf,
        rules: RULES.iter().map(|(k, v)| (*k, message(*v, l))).collect(),
        suggested: &suggested,
        errors,
    };
    pages::html(status, &p, &[])
}

/// The new password from the form, or the messages to show. `personal` is the
/// citizen's own data that must not appear in it.
pub fn chosen(form: &Params, personal: &[&str], l: Locale) -> Result<String, Vec<String>> {
    let p1 = form.get("password").unwrap_or("");
    let p2 = form.get("password2").unwrap_or("");
    if p1 != p2 {
        return Err(vec![l.t("err_password_mismatch").to_owned()]);
    }
    match check_password(p1, personal) {
        Ok(()) => Ok(p1.to_owned()),
        Err(violations) => {
            let list: Vec<&str> = violations.iter().map(|v| message(*v, l)).collect();
            Err(vec![format!(
                "{} {}",
                l.t("err_password_policy"),
                list.join(", ")
            )])
        }
    }
}
