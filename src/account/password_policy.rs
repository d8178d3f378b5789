//! ESIA's password rules: at least 8 characters with upper- and lower-case Latin
//! letters, digits and special characters; no runs of sequential digits, no common
//! words, no personal data. The server enforces them; pages show them as hints.

use rand::Rng as _;
use rand::seq::SliceRandom as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyViolation {
    TooShort,
    NoUpper,
    NoLower,
    NoDigit,
    NoSpecial,
    SequentialDigits,
    CommonWord,
    PersonalData,
}

impl PolicyViolation {
    pub fn message_en(&self) -> &'static str {
        match self {
            Self::TooShort => "at least 8 characters",
            Self::NoUpper => "an upper-case Latin letter",
            Self::NoLower => "a lower-case Latin letter",
            Self::NoDigit => "a digit",
            Self::NoSpecial => "a special character such as ! @ # $ %",
            Self::SequentialDigits => "no runs of sequential digits like 123",
            Self::CommonWord => "no common words like password or qwerty",
            Self::PersonalData => "no personal data (name, phone, e-mail)",
        }
    }

    pub fn message_ru(&self) -> &'static str {
        match self {
            Self::TooShort => "не менее 8 символов",
            Self::NoUpper => "заглавная латинская буква",
            Self::NoLower => "строчная латинская буква",
            Self::NoDigit => "цифра",
            Self::NoSpecial => "спецсимвол, например ! @ # $ %",
            Self::SequentialDigits => "без последовательностей цифр вроде 123",
            Self::CommonWord => "без распространённых слов вроде password или qwerty",
            Self::PersonalData => "без личных данных (имя, телефон, email)",
        }
    }
}

const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "qwerty",
    "qwertz",
    "asdfgh",
    "zxcvbn",
    "admin",
    "welcome",
    "letmein",
    "monkey",
    "dragon",
    "master",
    "login",
    "abc123",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "shadow",
    "superman",
    "batman",
    "trustno1",
    "secret",
    "default",
    "changeme",
    "111111",
    "000000",
    "123123",
    "654321",
    "gosuslugi",
    "esia",
    "propusk",
    "parol",
    "parol",
    "privet",
    "qazwsx",
    "1q2w3e",
    "zaq1",
    "test",
    "user",
    "root",
    "hello",
    "freedom",
    "whatever",
    "starwars",
    "pokemon",
    "michael",
    "jordan",
    "summer",
    "winter",
];

/// Every rule the password breaks; `personal` holds the citizen's own data (name,
/// phone, e-mail, birth date) that must not appear in it.
pub fn check_password(password: &str, personal: &[&str]) -> Result<(), Vec<PolicyViolation>> {
    let mut v = Vec::new();
    if password.chars().count() < 8 {
        v.push(PolicyViolation::TooShort);
    }
    if !password.chars().any(|c| c.is_ascii_uppercase()) {
        v.push(PolicyViolation::NoUpper);
    }
    if !password.chars().any(|c| c.is_ascii_lowercase()) {
        v.push(PolicyViolation::NoLower);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        v.push(PolicyViolation::NoDigit);
    }
    if !password
        .chars()
        .any(|c| c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace()))
    {
        v.push(PolicyViolation::NoSpecial);
    }
    if has_sequential_digits(password) {
        v.push(PolicyViolation::SequentialDigits);
    }
    let lower = password.to_lowercase();
    if COMMON.iter().any(|w| lower.contains(w)) {
        v.push(PolicyViolation::CommonWord);
    }
    if contains_personal(&lower, personal) {
        v.push(PolicyViolation::PersonalData);
    }
    if v.is_empty() { Ok(()) } else { Err(v) }
}

/// Three or more digits counting up or down by one ("123", "987").
fn has_sequential_digits(p: &str) -> bool {
    let d: Vec<i32> = p
        .chars()
        .map(|c| c.to_digit(10).map_or(-100, |x| x as i32))
        .collect();
    d.windows(3).any(|w| {
        w.iter().all(|x| *x >= 0)
            && ((w[1] - w[0] == 1 && w[2] - w[1] == 1) || (w[0] - w[1] == 1 && w[1] - w[2] == 1))
    })
}

fn contains_personal(lower: &str, personal: &[&str]) -> bool {
    let pw_digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    personal.iter().any(|item| {
        let item = item.trim().to_lowercase();
        let digits: String = item.chars().filter(char::is_ascii_digit).collect();
        // For an e-mail, its local part is what people put in passwords.
        let needle = item.split('@').next().unwrap_or(&item);
        let text_hit = needle.chars().count() >= 3 && lower.contains(needle);
        // Phones and dates: compare the digits (the last 7 of a phone are enough to recognise it).
        let digit_hit = digits.len() >= 6 && {
            let tail = &digits[digits.len().saturating_sub(7)..];
            pw_digits.contains(tail)
        };
        text_hit || digit_hit
    })
}

/// A strong random password that passes `check_password(…, &[])`: 16 characters.
pub fn generate_password() -> String {
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGITS: &[u8] = b"23456789";
    const SPECIAL: &[u8] = b"!@#$%^&*-_=+?";
    let mut rng = rand::rng();
    loop {
        let mut chars: Vec<u8> = Vec::with_capacity(16);
        for set in [UPPER, LOWER, DIGITS, SPECIAL] {
            chars.push(set[rng.random_range(0..set.len())]);
        }
        let all: Vec<u8> = [UPPER, LOWER, DIGITS, SPECIAL].concat();
        while chars.len() < 16 {
            chars.push(all[rng.random_range(0..all.len())]);
        }
        chars.shuffle(&mut rng);
        let candidate: String = chars.into_iter().map(char::from).collect();
        if check_password(&candidate, &[]).is_ok() {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_passwords_pass() {
        assert_eq!(
            check_password("Str0ng!Passw0rd-x", &[]),
            Err(vec![PolicyViolation::CommonWord])
        );
        assert!(check_password("Xk7#mQ2$vLp9", &[]).is_ok());
    }

    #[test]
    fn each_rule_is_reported() {
        let v = check_password("abc", &[]).unwrap_err();
        for r in [
            PolicyViolation::TooShort,
            PolicyViolation::NoUpper,
            PolicyViolation::NoDigit,
            PolicyViolation::NoSpecial,
        ] {
            assert!(v.contains(&r), "{r:?}");
        }
        assert!(
            check_password("Xk#mQ$vL123p", &[])
                .unwrap_err()
                .contains(&PolicyViolation::SequentialDigits)
        );
        assert!(check_password("Xk#mQ$vL975p", &[]).is_ok());
        assert!(
            check_password("Qwerty#77Zz", &[])
                .unwrap_err()
                .contains(&PolicyViolation::CommonWord)
        );
        assert!(
            check_password("Ivanov#77Zz", &["Ivanov", "Ivan"])
                .unwrap_err()
                .contains(&PolicyViolation::PersonalData)
        );
        assert!(
            check_password("Weak#Pass9x", &["a@b.ru"]).is_ok(),
            "a one-letter local part is no personal data"
        );
        assert!(
            check_password("Zz#4567891x", &["+79124567891"])
                .unwrap_err()
                .contains(&PolicyViolation::PersonalData)
        );
    }

    #[test]
    fn generated_passwords_pass() {
        for _ in 0..50 {
            let p = generate_password();
            assert_eq!(p.len(), 16);
            assert!(check_password(&p, &[]).is_ok(), "{p}");
        }
    }
}
