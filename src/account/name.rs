//! A citizen's name: surname, given name, patronymic (optional), as ESIA keeps them.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub family: String,
    pub given: String,
    pub middle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name: give at least a surname and a first name, surname first")]
    TooFewParts,
    #[error("name: {0} must be 1 to 60 letters (hyphen, apostrophe and single spaces allowed)")]
    BadPart(&'static str),
}

impl PersonName {
    /// Russian order: "Иванов Иван Иванович". Two words: no patronymic; more than three:
    /// the rest is the patronymic ("Оглы", double names).
    pub fn parse(full: &str) -> Result<PersonName, NameError> {
        let words: Vec<&str> = full.split_whitespace().collect();
        match words.as_slice() {
            [] | [_] => Err(NameError::TooFewParts),
            [family, given] => Self::from_parts(family, given, None),
            [family, given, rest @ ..] => Self::from_parts(family, given, Some(&rest.join(" "))),
        }
    }

    pub fn from_parts(
        family: &str,
        given: &str,
        middle: Option<&str>,
    ) -> Result<PersonName, NameError> {
        let family = part(family, "surname")?;
        let given = part(given, "first name")?;
        let middle = match middle.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => Some(part(m, "patronymic")?),
            None => None,
        };
        Ok(PersonName {
            family,
            given,
            middle,
        })
    }

    /// "Иванов Иван Иванович".
    pub fn full(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.family, self.given)?;
        if let Some(m) = &self.middle {
            write!(f, " {m}")?;
        }
        Ok(())
    }
}

fn part(raw: &str, what: &'static str) -> Result<String, NameError> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let joined = words.join(" ");
    let ok = (1..=60).contains(&joined.chars().count())
        && joined.chars().any(char::is_alphabetic)
        && joined
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | ' '));
    if ok {
        Ok(joined)
    } else {
        Err(NameError::BadPart(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_order() {
        let n = PersonName::parse("  Иванов   Иван Иванович ").unwrap();
        assert_eq!(
            (n.family.as_str(), n.given.as_str(), n.middle.as_deref()),
            ("Иванов", "Иван", Some("Иванович"))
        );
        assert_eq!(n.full(), "Иванов Иван Иванович");
        let n = PersonName::parse("Smith-Jones Anna").unwrap();
        assert_eq!(n.middle, None);
        let n = PersonName::parse("Мамедов Рашид Али Оглы").unwrap();
        assert_eq!(n.middle.as_deref(), Some("Али Оглы"));
    }

    #[test]
    fn bad_names_name_the_part() {
        assert_eq!(PersonName::parse("Иванов"), Err(NameError::TooFewParts));
        assert_eq!(
            PersonName::parse("Иванов И4ан"),
            Err(NameError::BadPart("first name"))
        );
        assert!(PersonName::parse("<script> x").is_err());
    }
}
