//! The protocol core: no axum, no sqlx, no I/O, no clock reads. Handlers in `http/`
//! parse, load, call these functions with `now`, persist and respond.

pub mod authorize;
pub mod claims;
pub mod decision;
pub mod discovery;
pub mod error;
pub mod params;
pub mod pkce;
pub mod scope;
pub mod token_request;

pub use error::{ErrorCode, OAuthError};
pub use params::Params;
