//! One-time codes sent by SMS, e-mail or post (registration, recovery, contact change,
//! postal identity confirmation): short random digits, stored only as a hash bound to
//! the code's row, a few minutes' life, a few tries, a resend cool-down, one use.

use rand::Rng as _;
use serde::{Deserialize, Serialize};

/// `[codes]` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CodePolicy {
    /// Seconds a sent code stays valid.
    pub ttl: i64,
    /// Wrong entries allowed per code.
    pub max_attempts: i64,
    /// Seconds before the same flow may send another code.
    pub resend_cooldown: i64,
    /// Codes one flow may send in all.
    pub max_sends: i64,
    /// Seconds the next step (a password, say) may take once the code is confirmed.
    pub confirmed_ttl: i64,
    /// Seconds a confirmation code sent by registered post stays valid.
    pub postal_ttl: i64,
}

impl Default for CodePolicy {
    fn default() -> Self {
        Self {
            ttl: 300,
            max_attempts: 3,
            resend_cooldown: 60,
            max_sends: 5,
            confirmed_ttl: 900,
            postal_ttl: 30 * 24 * 3600,
        }
    }
}

/// A freshly generated code (not `Clone`, redacted in `Debug`).
pub struct OneTimeCode(String);

impl OneTimeCode {
    /// `digits` random decimal digits from the OS CSPRNG.
    pub fn generate(digits: usize) -> OneTimeCode {
        let mut rng = rand::rng();
        OneTimeCode(
            (0..digits)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect(),
        )
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The stored form: bound to the row id, so equal codes of two rows differ.
    pub fn hash(&self, row_id: &str) -> String {
        hash_code(row_id, &self.0)
    }
}

impl std::fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeCode(***)")
    }
}

pub fn hash_code(row_id: &str, code: &str) -> String {
    crate::secret::hash_token(&format!("{row_id}:{code}"))
}

/// What the citizen typed, cleaned of spaces and dashes; `None` if it cannot be a code.
pub fn typed_code(input: &str, digits: usize) -> Option<String> {
    let c: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (c.len() == digits && c.bytes().all(|b| b.is_ascii_digit())).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_asked_length_and_hash_per_row() {
        let c = OneTimeCode::generate(6);
        assert_eq!(c.expose().len(), 6);
        assert!(c.expose().bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(c.hash("a"), c.hash("b"));
        assert_eq!(c.hash("a"), hash_code("a", c.expose()));
        assert_eq!(format!("{c:?}"), "OneTimeCode(***)");
    }

    #[test]
    fn typed_codes_are_cleaned() {
        assert_eq!(typed_code(" 123-456 ", 6).as_deref(), Some("123456"));
        assert_eq!(typed_code("12345", 6), None);
        assert_eq!(typed_code("12345a", 6), None);
    }
}
