//! propusk: an ESIA-style single sign-on server (OpenID Connect provider).

pub mod clock;
pub mod secret;
pub mod store {
    pub mod records;
}
