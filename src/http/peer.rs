//! The address of the TCP peer (the browser, or the reverse proxy in front of us),
//! when the server was started with connect info.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client certificate chain of a mutual-TLS connection, put into each request's
/// extensions by the certificate listener's acceptor (`server.rs`).
#[derive(Debug, Clone, Default)]
pub struct ClientCertChain(pub Vec<rustls::pki_types::CertificateDer<'static>>);
