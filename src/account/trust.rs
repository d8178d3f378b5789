//! Account trust levels (REQUIREMENTS.md): how firmly the account is tied to a person.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustLevel {
    /// Name + a confirmed phone or e-mail + password.
    Simplified,
    /// Personal data verified against the state registries.
    Standard,
    /// Identity confirmed in person, by qualified signature, bank or registered post.
    Confirmed,
}

impl TrustLevel {
    pub const ALL: [TrustLevel; 3] = [Self::Simplified, Self::Standard, Self::Confirmed];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Simplified => "simplified",
            Self::Standard => "standard",
            Self::Confirmed => "confirmed",
        }
    }

    pub fn parse(s: &str) -> Option<TrustLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The `acr` value of a token issued to an account of this level.
    pub fn acr(&self) -> &'static str {
        match self {
            Self::Simplified => "urn:propusk:loa:simplified",
            Self::Standard => "urn:propusk:loa:standard",
            Self::Confirmed => "urn:propusk:loa:confirmed",
        }
    }

    pub fn from_acr(acr: &str) -> Option<TrustLevel> {
        Self::ALL.into_iter().find(|l| l.acr() == acr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_round_trip() {
        assert!(TrustLevel::Simplified < TrustLevel::Standard);
        assert!(TrustLevel::Standard < TrustLevel::Confirmed);
        for l in TrustLevel::ALL {
            assert_eq!(TrustLevel::parse(l.as_str()), Some(l));
            assert_eq!(TrustLevel::from_acr(l.acr()), Some(l));
        }
        assert_eq!(TrustLevel::parse("gold"), None);
    }
}
