//! Double-submit CSRF protection for the account pages: a random token in an HttpOnly
//! cookie and the same token in every form; a post must carry both, equal. (Interaction
//! pages keep their token in the interaction record instead.)

use crate::http::cookies;
use crate::oidc::Params;
use crate::secret::{constant_time_eq, random_b64};
use crate::state::AppState;
use axum_extra::extract::cookie::CookieJar;

pub const COOKIE: &str = "propusk_csrf";

/// This browser's token, minting one (and its cookie) on first use.
pub fn token(state: &AppState, jar: CookieJar) -> (String, CookieJar) {
    if let Some(v) = cookies::value(&jar, COOKIE) {
        return (v.to_owned(), jar);
    }
    let v = random_b64(32);
    let jar = jar.add(cookies::build(state, COOKIE.to_owned(), v.clone(), None));
    (v, jar)
}

pub fn verify(jar: &CookieJar, form: &Params) -> bool {
    match (cookies::value(jar, COOKIE), form.get("csrf")) {
        (Some(c), Some(f)) => constant_time_eq(c, f),
        _ => false,
    }
}
