//! The token buckets: governor's keyed GCRA limiters, one per category and key kind,
//! counting in the application clock (so a test's fixed clock refills them when it
//! moves, and nothing here reads the wall clock on its own).

use super::config::{Limit, RateLimitConfig};
use crate::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a request is counted as. A request may count as several (registration also
/// sends a code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Login,
    Code,
    Register,
    Recover,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Code => "code",
            Self::Register => "register",
            Self::Recover => "recover",
        }
    }
}

/// The application clock as governor's time source (whole seconds, like every time in
/// propusk).
#[derive(Clone)]
pub struct AppClock(Arc<dyn Clock>);

impl governor::clock::Clock for AppClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        Duration::from_secs(u64::try_from(self.0.now()).unwrap_or(0))
    }
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, AppClock, NoOpMiddleware<Duration>>;

struct Pair {
    ip: Option<Keyed<IpAddr>>,
    id: Option<Keyed<String>>,
}

impl Pair {
    fn new(l: &Limit, clock: &AppClock) -> Pair {
        Pair {
            ip: limiter(l.per_ip, l.per_ip_burst, clock),
            id: limiter(l.per_identifier, l.per_identifier_burst, clock),
        }
    }

    fn retain_recent(&self) {
        if let Some(l) = &self.ip {
            l.retain_recent();
            l.shrink_to_fit();
        }
        if let Some(l) = &self.id {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    per_minute: u32,
    burst: u32,
    clock: &AppClock,
) -> Option<Keyed<K>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new(burst).unwrap_or(rate);
    let quota = Quota::per_minute(rate).allow_burst(burst);
    Some(RateLimiter::new(
        quota,
        DefaultKeyedStateStore::default(),
        clock.clone(),
    ))
}

/// Over the limit: seconds until the next request would be let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// Every bucket of this node. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct RateLimits(Arc<Inner>);

struct Inner {
    enabled: bool,
    clock: AppClock,
    login: Pair,
    code: Pair,
    register: Pair,
    recover: Pair,
    checks: AtomicU64,
}

/// Forget idle keys every this many checks, so the maps hold only recent clients.
const SWEEP_EVERY: u64 = 4096;

impl RateLimits {
    pub fn new(config: &RateLimitConfig, clock: Arc<dyn Clock>) -> RateLimits {
        let clock = AppClock(clock);
        RateLimits(Arc::new(Inner {
            enabled: config.enabled,
            login: Pair::new(&config.login, &clock),
            code: Pair::new(&config.code, &clock),
            register: Pair::new(&config.register, &clock),
            recover: Pair::new(&config.recover, &clock),
            clock,
            checks: AtomicU64::new(0),
        }))
    }

    pub fn enabled(&self) -> bool {
        self.0.enabled
    }

    fn pair(&self, c: Category) -> &Pair {
        match c {
            Category::Login => &self.0.login,
            Category::Code => &self.0.code,
            Category::Register => &self.0.register,
            Category::Recover => &self.0.recover,
        }
    }

    /// Count one request from `ip` (an IPv6 address counts as its /64: one subscriber
    /// usually holds the whole prefix).
    pub fn check_ip(&self, c: Category, ip: IpAddr) -> Result<(), RetryAfter> {
        self.sweep_now_and_then();
        match &self.pair(c).ip {
            Some(l) => self.verdict(l.check_key(&network_of(ip))),
            None => Ok(()),
        }
    }

    /// Count one request for a normalised identifier (`phone:+79…`).
    pub fn check_identifier(&self, c: Category, id: &str) -> Result<(), RetryAfter> {
        match &self.pair(c).id {
            Some(l) => self.verdict(l.check_key(&id.to_owned())),
            None => Ok(()),
        }
    }

    fn verdict(&self, r: Result<(), governor::NotUntil<Duration>>) -> Result<(), RetryAfter> {
        r.map_err(|not_until| {
            let now = governor::clock::Clock::now(&self.0.clock);
            let wait = not_until.wait_time_from(now);
            // Whole seconds, rounded up, and never 0 (which would invite a retry storm).
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            RetryAfter(secs.max(1))
        })
    }

    fn sweep_now_and_then(&self) {
        if self.0.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            for p in [
                &self.0.login,
                &self.0.code,
                &self.0.register,
                &self.0.recover,
            ] {
                p.retain_recent();
            }
        }
    }
}

/// The key an address is counted under.
fn network_of(ip: IpAddr) -> IpAddr {
    match super::super::client_ip::canonical(ip) {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & (u128::MAX << 64);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn limits(clock: Arc<FixedClock>) -> RateLimits {
        let c = RateLimitConfig {
            login: Limit {
                per_ip: 60,
                per_ip_burst: 3,
                per_identifier: 2,
                per_identifier_burst: 0,
            },
            ..RateLimitConfig::default()
        };
        RateLimits::new(&c, clock)
    }

    #[test]
    fn a_burst_then_the_pace_of_the_quota() {
        let clock = Arc::new(FixedClock::new(1_700_000_000));
        let l = limits(clock.clone());
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check_ip(Category::Login, ip), Ok(()));
        }
        assert_eq!(l.check_ip(Category::Login, ip), Err(RetryAfter(1)));
        // Another address has its own bucket; another category too.
        assert!(
            l.check_ip(Category::Login, "203.0.113.8".parse().unwrap())
                .is_ok()
        );
        assert!(l.check_ip(Category::Register, ip).is_ok());
        clock.advance(1);
        assert_eq!(l.check_ip(Category::Login, ip), Ok(()));
    }

    #[test]
    fn identifiers_refill_at_their_rate() {
        let clock = Arc::new(FixedClock::new(1_700_000_000));
        let l = limits(clock.clone());
        assert!(
            l.check_identifier(Category::Login, "phone:+79123456789")
                .is_ok()
        );
        assert!(
            l.check_identifier(Category::Login, "phone:+79123456789")
                .is_ok()
        );
        // Two a minute: the next one in 30 s.
        assert_eq!(
            l.check_identifier(Category::Login, "phone:+79123456789"),
            Err(RetryAfter(30))
        );
        clock.advance(30);
        assert!(
            l.check_identifier(Category::Login, "phone:+79123456789")
                .is_ok()
        );
    }

    #[test]
    fn an_ipv6_subscriber_counts_per_64() {
        let clock = Arc::new(FixedClock::new(1_700_000_000));
        let l = limits(clock);
        for i in 1..=3 {
            let ip: IpAddr = format!("2001:db8:1:2::{i}").parse().unwrap();
            assert!(l.check_ip(Category::Login, ip).is_ok());
        }
        let ip: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert!(l.check_ip(Category::Login, ip).is_err());
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.check_ip(Category::Login, other).is_ok());
    }

    #[test]
    fn zero_means_no_limit() {
        let clock = Arc::new(FixedClock::new(1_700_000_000));
        let mut c = RateLimitConfig::default();
        c.recover.per_identifier = 0;
        let l = RateLimits::new(&c, clock);
        for _ in 0..100 {
            assert!(
                l.check_identifier(Category::Recover, "email:a@b.ru")
                    .is_ok()
            );
        }
    }
}
