//! The client certificate forwarded by a reverse proxy that terminated TLS (nginx
//! `$ssl_client_escaped_cert`: the PEM, URL-encoded). Accepted only when the request
//! comes from a configured proxy address; from anyone else the header is ignored, since
//! any client could send it.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use std::net::{IpAddr, SocketAddr};

pub fn is_trusted_proxy(peer: Option<SocketAddr>, trusted: &[IpAddr]) -> bool {
    peer.is_some_and(|p| trusted.iter().any(|t| canonical(*t) == canonical(p.ip())))
}

/// `::ffff:127.0.0.1` and `127.0.0.1` are the same peer.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The certificate in the header value: URL-encoded PEM (nginx), or PEM with the line
/// breaks turned into spaces (some proxies). `None` if there is none.
pub fn cert_from_header(value: &str) -> Option<CertificateDer<'static>> {
    let decoded = percent_encoding::percent_decode_str(value.trim())
        .decode_utf8()
        .ok()?
        .into_owned();
    if !decoded.contains("-----BEGIN CERTIFICATE-----") {
        // Empty, nginx's "(null)" without a certificate, or not a PEM at all.
        return None;
    }
    let pem = if decoded.contains('\n') {
        decoded
    } else {
        // "-----BEGIN CERTIFICATE----- MIIB… -----END CERTIFICATE-----"
        let body = decoded
            .replace("-----BEGIN CERTIFICATE-----", "")
            .replace("-----END CERTIFICATE-----", "");
        let body: String = body.split_whitespace().collect::<Vec<_>>().join("\n");
        format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
    };
    CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configured_proxies_are_trusted() {
        let proxies = ["10.0.0.5".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))];
        let from = |s: &str| s.parse::<SocketAddr>().ok();
        assert!(is_trusted_proxy(from("10.0.0.5:4431"), &proxies));
        assert!(is_trusted_proxy(from("[::ffff:10.0.0.5]:4431"), &proxies));
        assert!(!is_trusted_proxy(from("10.0.0.6:4431"), &proxies));
        assert!(!is_trusted_proxy(None, &proxies));
    }

    #[test]
    fn empty_and_null_headers_carry_no_certificate() {
        assert!(cert_from_header("").is_none());
        assert!(cert_from_header("(null)").is_none());
        assert!(cert_from_header("garbage").is_none());
    }
}
