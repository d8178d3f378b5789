//! The citizen's IP address, for rate limits, sessions and the audit journal.
//!
//! It is the TCP peer, unless the peer is one of our own reverse proxies
//! (`trusted_proxies`): only then is `client_ip_header` believed, read from the right
//! (each proxy appends the address it saw) and skipping our own proxies, so the first
//! address we did not put there ourselves wins. A client can write anything at the left
//! end of `X-Forwarded-For`; it cannot forge what our proxy appended.

use crate::config::Config;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// One trusted proxy: an address (`10.0.0.5`) or a range (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (canonical(self.net), canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for TrustedProxy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let net = canonical(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("{s}: not an IP address or CIDR range"))?,
        );
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s}: bad prefix length"))?,
        };
        Ok(TrustedProxy { net, prefix })
    }
}

impl TryFrom<String> for TrustedProxy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<TrustedProxy> for String {
    fn from(p: TrustedProxy) -> String {
        format!("{}/{}", p.net, p.prefix)
    }
}

/// `::ffff:10.0.0.5` and `10.0.0.5` are the same address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn trusted(ip: IpAddr, proxies: &[TrustedProxy]) -> bool {
    proxies.iter().any(|p| p.contains(ip))
}

/// One hop of the header: `203.0.113.7`, `[2001:db8::1]:443`, `203.0.113.7:51000`.
fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    s.parse::<SocketAddr>().ok().map(|a| canonical(a.ip()))
}

/// The client's address as far as we can trust it (see the module comment).
pub fn client_ip(peer: Option<SocketAddr>, headers: &HeaderMap, config: &Config) -> Option<IpAddr> {
    let peer = canonical(peer?.ip());
    let proxies = &config.trusted_proxies;
    if !trusted(peer, proxies) || config.client_ip_header.is_empty() {
        return Some(peer);
    }
    // Several header lines are one list, in order (RFC 9110 §5.3).
    let hops: Vec<&str> = headers
        .get_all(config.client_ip_header.as_str())
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // Garbage (or "unknown"): nothing left of it can be believed.
            return Some(nearest);
        };
        if !trusted(ip, proxies) {
            return Some(ip);
        }
        nearest = ip;
    }
    Some(nearest)
}

/// The client's address as an extractor, for handlers that record it.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientIp(client_ip(peer, &parts.headers, &state.config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config(proxies: &[&str], header: &str) -> Config {
        Config {
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            client_ip_header: header.to_owned(),
            ..Config::default()
        }
    }

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append("x-forwarded-for", HeaderValue::from_str(l).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let c = config(&[], "X-Forwarded-For");
        let h = headers(&["198.51.100.1"]);
        assert_eq!(
            client_ip(peer("203.0.113.7:5000"), &h, &c),
            ip("203.0.113.7")
        );
        assert_eq!(client_ip(None, &h, &c), None);
    }

    #[test]
    fn an_untrusted_peer_cannot_forge_the_header() {
        let c = config(&["10.0.0.5"], "X-Forwarded-For");
        let h = headers(&["198.51.100.1"]);
        assert_eq!(
            client_ip(peer("203.0.113.7:5000"), &h, &c),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_wins() {
        let c = config(&["10.0.0.0/8"], "X-Forwarded-For");
        // The client wrote "1.1.1.1" itself; our proxies appended the rest.
        let h = headers(&["1.1.1.1, 203.0.113.7, 10.0.0.9"]);
        assert_eq!(client_ip(peer("10.0.0.5:80"), &h, &c), ip("203.0.113.7"));
        // The same list split over two header lines.
        let h = headers(&["1.1.1.1", "203.0.113.7, 10.0.0.9"]);
        assert_eq!(client_ip(peer("10.0.0.5:80"), &h, &c), ip("203.0.113.7"));
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        let c = config(&["10.0.0.5"], "X-Forwarded-For");
        assert_eq!(
            client_ip(peer("10.0.0.5:80"), &HeaderMap::new(), &c),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_trusted_hop() {
        let c = config(&["10.0.0.0/8"], "X-Forwarded-For");
        let h = headers(&["203.0.113.7, unknown, 10.0.0.9"]);
        assert_eq!(client_ip(peer("10.0.0.5:80"), &h, &c), ip("10.0.0.9"));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses() {
        let c = config(&["::ffff:10.0.0.5", "fd00::/8"], "X-Forwarded-For");
        let h = headers(&["[2001:db8::1]:443, fd00::2"]);
        assert_eq!(
            client_ip(peer("[::ffff:10.0.0.5]:80"), &h, &c),
            ip("2001:db8::1")
        );
        let h = headers(&["203.0.113.7:51000"]);
        assert_eq!(client_ip(peer("10.0.0.5:80"), &h, &c), ip("203.0.113.7"));
    }

    #[test]
    fn another_header_name() {
        let c = config(&["10.0.0.5"], "X-Real-IP");
        let mut h = HeaderMap::new();
        h.insert("x-real-ip", HeaderValue::from_static("203.0.113.7"));
        assert_eq!(client_ip(peer("10.0.0.5:80"), &h, &c), ip("203.0.113.7"));
    }

    #[test]
    fn ranges_parse_and_match() {
        let p: TrustedProxy = "192.168.0.0/16".parse().unwrap();
        assert!(p.contains("192.168.44.1".parse().unwrap()));
        assert!(!p.contains("192.169.0.1".parse().unwrap()));
        let all: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("example.org".parse::<TrustedProxy>().is_err());
        assert_eq!(String::from(p), "192.168.0.0/16");
    }
}
