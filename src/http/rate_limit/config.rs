//! `[rate_limits]`: how many logins, code sendings, registrations and recoveries one IP
//! address and one identifier (phone, e-mail, SNILS) may start per minute.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Off only for load tests. The counters live in each node's memory: behind a load
    /// balancer with N nodes a client may get up to N times the quota.
    pub enabled: bool,
    /// `POST /interaction/{uid}/login`, `POST /signin`; identifier: the typed login.
    pub login: Limit,
    /// Every request that sends a one-time code (registration, resends, contact change,
    /// a second-factor code); identifier: the phone or e-mail the code goes to.
    pub code: Limit,
    /// `POST /register`; identifier: the phone or e-mail.
    pub register: Limit,
    /// `POST /recover`; identifier: the typed phone, e-mail or SNILS.
    pub recover: Limit,
}

/// Two token buckets: one per IP address (an IPv6 client counts per /64), one per
/// identifier. A bucket holds `*_burst` requests and refills at `per_*` a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Requests a minute from one address; 0: no per-address limit.
    pub per_ip: u32,
    /// Requests at once from one address (0: the same as `per_ip`).
    pub per_ip_burst: u32,
    /// Requests a minute for one identifier; 0: no per-identifier limit.
    pub per_identifier: u32,
    /// Requests at once for one identifier (0: the same as `per_identifier`).
    pub per_identifier_burst: u32,
}

impl Limit {
    const fn new(per_ip: u32, ip_burst: u32, per_id: u32, id_burst: u32) -> Limit {
        Limit {
            per_ip,
            per_ip_burst: ip_burst,
            per_identifier: per_id,
            per_identifier_burst: id_burst,
        }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        // Per-address quotas are generous: mobile carriers put many citizens behind one
        // address (CGNAT). Per-identifier quotas are tight: one person types one login.
        Self {
            enabled: true,
            login: Limit::new(60, 60, 10, 10),
            code: Limit::new(20, 20, 3, 5),
            register: Limit::new(10, 20, 5, 5),
            recover: Limit::new(10, 20, 5, 5),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    /// The example file documents the defaults of these sections exactly.
    #[test]
    fn the_example_config_shows_the_defaults() {
        let c = Config::load(Some(Path::new("propusk.example.toml"))).unwrap();
        let d = Config::default();
        assert_eq!(c.rate_limits, d.rate_limits);
        assert_eq!(c.backchannel_logout, d.backchannel_logout);
        assert_eq!(c.trusted_proxies, d.trusted_proxies);
        assert_eq!(c.client_ip_header, d.client_ip_header);
    }

    #[test]
    fn proxies_and_limits_come_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(
            &path,
            "trusted_proxies = [\"10.0.0.0/8\"]\nclient_ip_header = \"X-Real-IP\"\n\
             [rate_limits.login]\nper_ip = 100\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert!(c.trusted_proxies[0].contains("10.1.2.3".parse().unwrap()));
        assert_eq!(c.client_ip_header, "X-Real-IP");
        assert_eq!(c.rate_limits.login.per_ip, 100);
        // The rest of the section keeps its defaults.
        assert_eq!(c.rate_limits.login.per_identifier, 10);
        std::fs::write(&path, "trusted_proxies = [\"10.0.0.0/40\"]\n").unwrap();
        let err = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("prefix"), "{err}");
    }
}
