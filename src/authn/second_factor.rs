//! Second factors (REQUIREMENTS.md): when one is needed, which `amr` values count as
//! one, TOTP (RFC 6238 with totp-rs: SHA-1, 6 digits, 30 s, one step of tolerance) and
//! recovery codes. Pure: no storage, no clock reads.

use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// `acr_values` asking for a second factor in this login.
pub const MFA_ACR: &str = "urn:propusk:mfa";

/// `amr` values (RFC 8176 where one exists) that are a second factor.
const SECOND_FACTORS: &[&str] = &["otp", "sms", "email", "hwk", "swk", "sc"];

/// `[second_factor]` and `[lockout]` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecondFactorConfig {
    /// Days "trust this browser" skips the citizen's own second-factor requirement.
    pub trusted_device_days: i64,
    /// Name shown in authenticator apps.
    pub totp_issuer: String,
}

impl Default for SecondFactorConfig {
    fn default() -> Self {
        Self {
            trusted_device_days: 30,
            totp_issuer: "Propusk".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutConfig {
    /// Wrong passwords (or second-factor codes) in a row before the lock.
    pub max_failures: i64,
    /// Seconds the lock lasts.
    pub lock_seconds: i64,
}

impl Default for LockoutConfig {
    fn default() -> Self {
        Self {
            max_failures: 3,
            lock_seconds: 15 * 60,
        }
    }
}

/// Why a second factor is needed in this login, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// The citizen asked for it at every login (a trusted browser may skip it).
    pub by_citizen: bool,
    /// The portal, or this request's `acr_values`, requires it (never skipped).
    pub by_portal: bool,
}

impl Requirement {
    /// `acr_values` are alternatives (OIDC Core §3.1.2.1): a second factor is asked for
    /// only when `urn:propusk:mfa` is the sole value we know; with a trust level listed
    /// beside it, a login at that level satisfies the request.
    pub fn new(citizen: bool, portal: bool, acr_values: &[String]) -> Requirement {
        let asks_mfa = acr_values.iter().any(|a| a == MFA_ACR);
        let lists_level = acr_values
            .iter()
            .any(|a| crate::account::TrustLevel::from_acr(a).is_some());
        Requirement {
            by_citizen: citizen,
            by_portal: portal || (asks_mfa && !lists_level),
        }
    }

    /// Whether the factors in `amr` leave something to do.
    pub fn pending(&self, amr: &[String], trusted_browser: bool) -> bool {
        if has_second_factor(amr) {
            return false;
        }
        self.by_portal || (self.by_citizen && !trusted_browser)
    }
}

pub fn has_second_factor(amr: &[String]) -> bool {
    amr.iter().any(|a| SECOND_FACTORS.contains(&a.as_str()))
}

/// The session's `amr` after passing `method`: added once, plus `mfa` when there are
/// now two factors.
pub fn with_factor(amr: &[String], method: &str) -> Vec<String> {
    let mut out: Vec<String> = amr.iter().filter(|a| *a != "mfa").cloned().collect();
    if !out.iter().any(|a| a == method) {
        out.push(method.to_owned());
    }
    if out.len() >= 2 {
        out.push("mfa".to_owned());
    }
    out
}

/// A fresh 160-bit TOTP secret (RFC 4226's recommended length).
pub fn new_totp_secret() -> Vec<u8> {
    let mut b = vec![0u8; 20];
    rand::rng().fill(&mut b[..]);
    b
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> Option<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .with_skew(1)
        .build()
        .ok()
}

/// The `otpauth://` URI an authenticator app scans.
pub fn totp_uri(secret: &[u8], issuer: &str, account: &str) -> Option<String> {
    totp(secret, issuer, account)?.to_url().ok()
}

/// The time step a typed code matches (within one step of `now`), if any.
pub fn totp_step(secret: &[u8], code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let t = totp(secret, "propusk", "check")?;
    let time = u64::try_from(now).ok()?;
    t.check(&code, time).and_then(|s| i64::try_from(s).ok())
}

/// The code for `now` (tests and the enrolment page's own check).
pub fn totp_code(secret: &[u8], now: i64) -> Option<String> {
    let t = totp(secret, "propusk", "check")?;
    Some(t.generate(u64::try_from(now).ok()?).to_string())
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret by hand.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Ten recovery codes like `k7pm-3xq9`: 40 random bits each, no look-alike characters.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let s: String = (0..8)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            format!("{}-{}", &s[..4], &s[4..])
        })
        .collect()
}

/// What the citizen typed, in the stored form (lower case, one dash).
pub fn normalise_recovery_code(input: &str) -> Option<String> {
    let s: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (s.len() == 8).then(|| format!("{}-{}", &s[..4], &s[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vector_and_one_step_of_tolerance() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 → 94287082 (8
        // digits); our 6-digit codes are its last six digits.
        let secret = b"12345678901234567890";
        assert_eq!(totp_code(secret, 59).as_deref(), Some("287082"));
        assert_eq!(totp_step(secret, "287082", 59), Some(1));
        assert_eq!(
            totp_step(secret, "287082", 59 + 30),
            Some(1),
            "previous step accepted"
        );
        assert_eq!(
            totp_step(secret, "287082", 59 + 60),
            None,
            "two steps late refused"
        );
        assert_eq!(totp_step(secret, "000000", 59), None);
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }

    #[test]
    fn requirement_and_amr() {
        let none: Vec<String> = vec![];
        let r = Requirement::new(true, false, &none);
        assert!(r.pending(&["pwd".into()], false));
        assert!(
            !r.pending(&["pwd".into()], true),
            "a trusted browser skips the citizen's own rule"
        );
        let p = Requirement::new(false, false, &[MFA_ACR.to_owned()]);
        assert!(
            p.pending(&["pwd".into()], true),
            "never skipped when the portal asks"
        );
        assert!(!p.pending(&["pwd".into(), "otp".into()], false));
        let either = Requirement::new(
            false,
            false,
            &[MFA_ACR.to_owned(), "urn:propusk:loa:simplified".to_owned()],
        );
        assert!(
            !either.pending(&["pwd".into()], false),
            "a listed level is an acceptable alternative"
        );
        assert_eq!(with_factor(&["pwd".into()], "otp"), ["pwd", "otp", "mfa"]);
        assert_eq!(
            with_factor(&["pwd".into(), "otp".into(), "mfa".into()], "otp"),
            ["pwd", "otp", "mfa"]
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_normalised() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let set: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(set.len(), 10);
        assert_eq!(
            normalise_recovery_code(" K7PM 3XQ9 ").as_deref(),
            Some("k7pm-3xq9")
        );
        assert_eq!(normalise_recovery_code("short"), None);
    }
}
