//! Login identifiers, typed "in any format" and normalised (REQUIREMENTS.md):
//! phone `+7XXXXXXXXXX`, e-mail with a lower-case domain, SNILS as 11 digits with a
//! valid checksum. Parse, don't validate: a value of these types is always valid.

use crate::store::records::LoginKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error(
        "phone: expected a Russian mobile number, 11 digits starting with 7 or 8 (e.g. +7 912 345-67-89)"
    )]
    Phone,
    #[error("email: expected name@domain.tld without spaces")]
    Email,
    #[error("snils: expected 11 digits, e.g. 123-456-789 64")]
    SnilsFormat,
    #[error("snils: the check digits do not match")]
    SnilsChecksum,
    #[error("login: enter a phone number, an e-mail or a SNILS")]
    Login,
}

impl IdentifierError {
    /// The form field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Email => "email",
            Self::SnilsFormat | Self::SnilsChecksum => "snils",
            Self::Login => "login",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// `+7 912 345-67-89`, `89123456789`, `8 (912) 345 67 89`, `9123456789` → `+79123456789`.
    pub fn parse(input: &str) -> Result<Phone, IdentifierError> {
        let trimmed = input.trim();
        let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
        if !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
        {
            return Err(IdentifierError::Phone);
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        let national = match digits.len() {
            11 if digits.starts_with('7')
                || (digits.starts_with('8') && !trimmed.starts_with('+')) =>
            {
                &digits[1..]
            }
            10 if !trimmed.starts_with('+') => digits.as_str(),
            _ => return Err(IdentifierError::Phone),
        };
        Ok(Phone(format!("+7{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Trimmed and lower-cased. RFC 5321 lets a mail server treat the local part
    /// case-sensitively, but no Russian mail service does, and two accounts for
    /// `Ivan@mail.ru` and `ivan@mail.ru` would be a trap; so the whole address is folded.
    pub fn parse(input: &str) -> Result<Email, IdentifierError> {
        let s = input.trim();
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(IdentifierError::Email);
        }
        let (local, domain) = s.split_once('@').ok_or(IdentifierError::Email)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'));
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(IdentifierError::Email);
        }
        Ok(Email(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Snils(String);

impl Snils {
    /// 11 digits with or without dashes and spaces; the checksum must match.
    pub fn parse(input: &str) -> Result<Snils, IdentifierError> {
        let s = input.trim();
        if !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-'))
        {
            return Err(IdentifierError::SnilsFormat);
        }
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 11 {
            return Err(IdentifierError::SnilsFormat);
        }
        if !checksum_ok(&digits) {
            return Err(IdentifierError::SnilsChecksum);
        }
        Ok(Snils(digits))
    }

    /// 11 digits, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `123-456-789 64`, as shown to people.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        format!("{}-{}-{} {}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }
}

/// Sum of the first nine digits times weights 9..1; under 100 it is the checksum, 100
/// and 101 give 00, above that mod 101 (100 again giving 00). Numbers up to 001-001-998
/// were issued before the checksum and are not checked.
fn checksum_ok(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    let number: u32 = d[..9].iter().fold(0, |acc, x| acc * 10 + x);
    if number <= 1_001_998 {
        return true;
    }
    let sum: u32 = d[..9].iter().zip((1..=9).rev()).map(|(x, w)| x * w).sum();
    let expected = match sum {
        s if s < 100 => s,
        100 | 101 => 0,
        s => match s % 101 {
            100 => 0,
            r => r,
        },
    };
    expected == d[9] * 10 + d[10]
}

/// The one login field takes a phone, an e-mail or a SNILS. Returns the look-ups to try,
/// in order: `@` means e-mail; a leading `+` means phone; the SNILS shape
/// `XXX-XXX-XXX YY` means SNILS; 11 bare digits may be either, so every reading that
/// parses is tried; 10 digits are a phone without the country code.
pub fn login_candidates(input: &str) -> Result<Vec<LoginKey>, IdentifierError> {
    let s = input.trim();
    if s.contains('@') {
        return Email::parse(s)
            .map(|e| vec![LoginKey::Email(e.0)])
            .map_err(|_| IdentifierError::Login);
    }
    if s.starts_with('+') {
        return Phone::parse(s)
            .map(|p| vec![LoginKey::Phone(p.0)])
            .map_err(|_| IdentifierError::Login);
    }
    if looks_like_snils(s) {
        return Snils::parse(s)
            .map(|n| vec![LoginKey::Snils(n.0)])
            .map_err(|_| IdentifierError::Login);
    }
    let mut out = Vec::new();
    if let Ok(p) = Phone::parse(s) {
        out.push(LoginKey::Phone(p.0));
    }
    if let Ok(n) = Snils::parse(s) {
        out.push(LoginKey::Snils(n.0));
    }
    if out.is_empty() {
        Err(IdentifierError::Login)
    } else {
        Ok(out)
    }
}

/// `123-456-789 64` or `123-456-789-64`.
fn looks_like_snils(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 14
        && b[3] == b'-'
        && b[7] == b'-'
        && matches!(b[11], b' ' | b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 3 | 7 | 11) || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_any_format() {
        for input in [
            "+7 912 345-67-89",
            "89123456789",
            "8 (912) 345 67 89",
            "79123456789",
            "9123456789",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "+79123456789",
                "{input}"
            );
        }
        for bad in [
            "+8 912 345 67 89",
            "12345",
            "+7 912 345 67 8",
            "7912345678a",
            "",
            "+1 202 555 0100",
        ] {
            assert_eq!(Phone::parse(bad), Err(IdentifierError::Phone), "{bad}");
        }
    }

    #[test]
    fn emails_are_folded_to_lower_case() {
        assert_eq!(
            Email::parse(" Ivan.Petrov@Mail.RU ").unwrap().as_str(),
            "ivan.petrov@mail.ru"
        );
        for bad in [
            "ivan",
            "ivan@",
            "@mail.ru",
            "iv an@mail.ru",
            "ivan@mail",
            "ivan@mail..ru",
            "a@b@c.ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn snils_checksum() {
        let s = Snils::parse("112-233-445 95").unwrap();
        assert_eq!(s.as_str(), "11223344595");
        assert_eq!(s.formatted(), "112-233-445 95");
        assert_eq!(
            Snils::parse("11223344594"),
            Err(IdentifierError::SnilsChecksum)
        );
        assert_eq!(
            Snils::parse("1122334459"),
            Err(IdentifierError::SnilsFormat)
        );
        // Sum 100 and 101 give 00.
        assert!(checksum_ok("00100199800")); // below the checked range
        // 123-456-789: sum = 1*9+2*8+3*7+4*6+5*5+6*4+7*3+8*2+9*1 = 165 -> 165 mod 101 = 64.
        assert!(Snils::parse("123-456-789 64").is_ok());
        assert!(Snils::parse("123-456-789 65").is_err());
    }

    #[test]
    fn login_candidates_cover_every_reading() {
        assert_eq!(
            login_candidates("Ivan@Mail.ru").unwrap(),
            vec![LoginKey::Email("ivan@mail.ru".into())]
        );
        assert_eq!(
            login_candidates("+7 912 345 67 89").unwrap(),
            vec![LoginKey::Phone("+79123456789".into())]
        );
        assert_eq!(
            login_candidates("112-233-445 95").unwrap(),
            vec![LoginKey::Snils("11223344595".into())]
        );
        // 11 digits starting with 7 and a valid SNILS checksum: try both.
        let both = login_candidates("71234567890");
        assert!(matches!(both.as_deref(), Ok([LoginKey::Phone(_), ..])));
        assert_eq!(
            login_candidates("11223344595").unwrap(),
            vec![LoginKey::Snils("11223344595".into())]
        );
        assert_eq!(login_candidates("hello"), Err(IdentifierError::Login));
        assert_eq!(
            login_candidates("112-233-445 94"),
            Err(IdentifierError::Login)
        );
    }
}
