//! propusk: an ESIA-style single sign-on server (OpenID Connect provider).
//!
//! Layers (DESIGN.md): `http` parses and responds; `oidc` is the pure protocol core;
//! `account` and `authn` hold the citizen's identifiers and credentials; `store`,
//! `keys` and `notify` do the I/O.

pub mod account;
pub mod admin;
pub mod authn;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod keys;
pub mod notify;
pub mod oidc;
pub mod secret;
pub mod server;
pub mod state;
pub mod store;
pub mod verify;
pub mod views;

pub use http::router as app;
pub use state::AppState;
