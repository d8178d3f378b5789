//! The citizen's personal data (REQUIREMENTS.md): INN of a person (12 digits, two check
//! digits), the Russian passport (series 4 digits + number 6 digits, issue date, issuer),
//! birth date and gender. Parse, don't validate: values of these types are valid, and
//! `PersonalData::parse` names the field of each problem.

use super::identifiers::Snils;
use crate::clock::UnixTime;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// A problem with one field of the personal-data form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("inn: expected the 12 digits of a person's INN")]
    InnFormat,
    #[error("inn: the check digits do not match")]
    InnChecksum,
    #[error("passport_series: expected 4 digits")]
    PassportSeries,
    #[error("passport_number: expected 6 digits")]
    PassportNumber,
    #[error(
        "passport_issued: expected a date (YYYY-MM-DD) after the 14th birthday and not in the future"
    )]
    PassportIssued,
    #[error("passport_issuer: enter who issued the passport (up to 200 characters)")]
    PassportIssuer,
    #[error("passport_issuer_code: expected the division code, 6 digits (e.g. 770-001)")]
    IssuerCode,
    #[error("birth_date: expected a date (YYYY-MM-DD); the citizen must be at least 14")]
    BirthDate,
    #[error("gender: choose male or female")]
    Gender,
    #[error("snils: expected 11 digits with valid check digits, e.g. 123-456-789 64")]
    Snils,
}

impl DocumentError {
    /// The form field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::InnFormat | Self::InnChecksum => "inn",
            Self::PassportSeries => "passport_series",
            Self::PassportNumber => "passport_number",
            Self::PassportIssued => "passport_issued",
            Self::PassportIssuer => "passport_issuer",
            Self::IssuerCode => "passport_issuer_code",
            Self::BirthDate => "birth_date",
            Self::Gender => "gender",
            Self::Snils => "snils",
        }
    }
}

/// A person's INN: 12 digits, the last two are check digits (weights from the Federal
/// Tax Service's algorithm; each check digit is the weighted sum mod 11 mod 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inn(String);

impl Inn {
    pub fn parse(input: &str) -> Result<Inn, DocumentError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DocumentError::InnFormat);
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        const W11: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
        const W12: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
        let check = |w: &[u32]| w.iter().zip(&d).map(|(w, d)| w * d).sum::<u32>() % 11 % 10;
        if check(&W11) != d[10] || check(&W12) != d[11] {
            return Err(DocumentError::InnChecksum);
        }
        Ok(Inn(digits))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn parse(s: &str) -> Result<Gender, DocumentError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "male" | "m" => Ok(Gender::Male),
            "female" | "f" => Ok(Gender::Female),
            _ => Err(DocumentError::Gender),
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
}

/// The Russian internal passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passport {
    /// 4 digits.
    pub series: String,
    /// 6 digits.
    pub number: String,
    /// YYYY-MM-DD.
    pub issued: String,
    pub issuer: String,
    /// `XXX-XXX`, optional.
    pub issuer_code: Option<String>,
}

/// Everything the personal-data form carries, validated together (the issue date is
/// checked against the birth date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub birth_date: String,
    pub gender: Gender,
    pub passport: Passport,
    pub snils: String,
    pub inn: Option<String>,
}

/// The raw form fields.
#[derive(Debug, Clone, Default)]
pub struct PersonalDataForm<'a> {
    pub birth_date: &'a str,
    pub gender: &'a str,
    pub passport_series: &'a str,
    pub passport_number: &'a str,
    pub passport_issued: &'a str,
    pub passport_issuer: &'a str,
    pub passport_issuer_code: &'a str,
    pub snils: &'a str,
    pub inn: &'a str,
}

impl PersonalData {
    /// Validate the form; `now` decides what "in the future" means. Every problem is
    /// returned, each naming its field.
    pub fn parse(
        f: &PersonalDataForm<'_>,
        now: UnixTime,
    ) -> Result<PersonalData, Vec<DocumentError>> {
        let mut errors = Vec::new();
        let today = today(now);
        let birth = parse_date(f.birth_date).filter(|b| {
            today.is_some_and(|t| *b <= t && years_between(*b, t) >= 14) && b.year() >= 1900
        });
        if birth.is_none() {
            errors.push(DocumentError::BirthDate);
        }
        let gender = Gender::parse(f.gender).map_err(|e| errors.push(e)).ok();
        let series = digits_exactly(f.passport_series, 4);
        if series.is_none() {
            errors.push(DocumentError::PassportSeries);
        }
        let number = digits_exactly(f.passport_number, 6);
        if number.is_none() {
            errors.push(DocumentError::PassportNumber);
        }
        let issued = parse_date(f.passport_issued).filter(|d| {
            today.is_some_and(|t| *d <= t) && birth.is_none_or(|b| years_between(b, *d) >= 14)
        });
        if issued.is_none() {
            errors.push(DocumentError::PassportIssued);
        }
        let issuer = f.passport_issuer.trim();
        if issuer.is_empty() || issuer.chars().count() > 200 || issuer.chars().any(char::is_control)
        {
            errors.push(DocumentError::PassportIssuer);
        }
        let code = f.passport_issuer_code.trim();
        let issuer_code = if code.is_empty() {
            None
        } else {
            match digits_exactly(code, 6) {
                Some(c) => Some(format!("{}-{}", &c[..3], &c[3..])),
                None => {
                    errors.push(DocumentError::IssuerCode);
                    None
                }
            }
        };
        let snils = Snils::parse(f.snils)
            .map_err(|_| errors.push(DocumentError::Snils))
            .ok();
        let inn = if f.inn.trim().is_empty() {
            None
        } else {
            Inn::parse(f.inn).map_err(|e| errors.push(e)).ok()
        };
        match (birth, gender, series, number, issued, snils) {
            (Some(b), Some(g), Some(s), Some(n), Some(i), Some(snils)) if errors.is_empty() => {
                Ok(PersonalData {
                    birth_date: b.to_string(),
                    gender: g,
                    passport: Passport {
                        series: s,
                        number: n,
                        issued: i.to_string(),
                        issuer: issuer.to_owned(),
                        issuer_code,
                    },
                    snils: snils.as_str().to_owned(),
                    inn: inn.map(|i| i.as_str().to_owned()),
                })
            }
            _ => Err(errors),
        }
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn today(now: UnixTime) -> Option<Date> {
    time::OffsetDateTime::from_unix_timestamp(now)
        .ok()
        .map(|t| t.date())
}

/// Whole years from `a` to `b`.
fn years_between(a: Date, b: Date) -> i32 {
    let mut years = b.year() - a.year();
    if (b.month() as u8, b.day()) < (a.month() as u8, a.day()) {
        years -= 1;
    }
    years
}

/// Exactly `n` digits once spaces and dashes are removed.
fn digits_exactly(s: &str, n: usize) -> Option<String> {
    let d: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (d.len() == n && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-24T00:00:00Z
    const NOW: UnixTime = 1_795_478_400;

    fn form() -> PersonalDataForm<'static> {
        PersonalDataForm {
            birth_date: "1985-04-12",
            gender: "male",
            passport_series: "45 10",
            passport_number: "123456",
            passport_issued: "2005-05-20",
            passport_issuer: "ОВД Тверского района г. Москвы",
            passport_issuer_code: "770-001",
            snils: "112-233-445 95",
            inn: "500100732259",
        }
    }

    #[test]
    fn inn_check_digits() {
        assert!(Inn::parse("500100732259").is_ok());
        assert!(Inn::parse("7830002293").is_err()); // a company's 10 digits
        assert_eq!(Inn::parse("500100732250"), Err(DocumentError::InnChecksum));
        assert_eq!(Inn::parse("50010073225x"), Err(DocumentError::InnFormat));
    }

    #[test]
    fn a_good_form_parses_and_normalises() {
        let p = PersonalData::parse(&form(), NOW).unwrap();
        assert_eq!(p.passport.series, "4510");
        assert_eq!(p.passport.issuer_code.as_deref(), Some("770-001"));
        assert_eq!(p.snils, "11223344595");
        assert_eq!(p.gender, Gender::Male);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = PersonalDataForm {
            birth_date: "2020-01-01",
            gender: "x",
            passport_series: "451",
            passport_number: "12345a",
            passport_issued: "2030-01-01",
            passport_issuer: " ",
            passport_issuer_code: "77-01",
            snils: "112-233-445 96",
            inn: "500100732250",
        };
        let errs = PersonalData::parse(&bad, NOW).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field()).collect();
        for f in [
            "birth_date",
            "gender",
            "passport_series",
            "passport_number",
            "passport_issued",
            "passport_issuer",
            "passport_issuer_code",
            "snils",
            "inn",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn passport_before_fourteen_is_refused() {
        let f = PersonalDataForm {
            passport_issued: "1995-01-01",
            ..form()
        };
        let errs = PersonalData::parse(&f, NOW).unwrap_err();
        assert_eq!(errs, vec![DocumentError::PassportIssued]);
    }
}
