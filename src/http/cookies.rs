//! Cookies propusk sets: all `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` unless
//! the issuer is plain http on loopback (DESIGN.md security defaults).

use crate::state::AppState;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub const SESSION: &str = "propusk_session";
pub const LANG: &str = "propusk_lang";
pub const LOGOUT_CSRF: &str = "propusk_logout";

/// The interaction cookie is per interaction, so two tabs logging in to two portals
/// do not overwrite each other's binding.
pub fn interaction_name(uid: &str) -> String {
    format!("propusk_i_{uid}")
}

pub fn build(
    state: &AppState,
    name: String,
    value: String,
    max_age_secs: Option<i64>,
) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies());
    if let Some(age) = max_age_secs {
        c.set_max_age(cookie_duration(age));
    }
    c
}

/// A cookie that deletes `name`.
pub fn removal(state: &AppState, name: String) -> Cookie<'static> {
    let mut c = build(state, name, String::new(), Some(0));
    c.make_removal();
    c
}

pub fn value<'a>(jar: &'a CookieJar, name: &str) -> Option<&'a str> {
    jar.get(name).map(|c| c.value()).filter(|v| !v.is_empty())
}

fn cookie_duration(secs: i64) -> time::Duration {
    time::Duration::seconds(secs)
}
