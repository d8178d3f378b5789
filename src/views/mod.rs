//! Hosted pages: askama templates (`templates/`), their structs and the texts.
//! Server-rendered, auto-escaped, no JavaScript.

mod i18n;
mod pages;

pub use i18n::{Locale, Texts};
pub use pages::{ConsentPage, ErrorPage, LoggedOutPage, LoginPage, LogoutConfirmPage};

pub fn render<T: askama::Template>(page: &T) -> Result<String, askama::Error> {
    page.render()
}

#[cfg(test)]
mod tests;
