//! Request parameters as received. RFC 6749 §3.1 and §3.2: a parameter sent more than
//! once is an error, and a parameter sent empty counts as absent.

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(HashMap<String, String>);

/// A parameter was repeated (its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repeated(pub String);

impl Params {
    /// From decoded name/value pairs, refusing repeats.
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Params, Repeated> {
        let mut map = HashMap::new();
        for (k, v) in pairs {
            if map.contains_key(&k) {
                return Err(Repeated(k));
            }
            map.insert(k, v);
        }
        Ok(Params(map))
    }

    /// The value, or `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Merge `other` in, refusing names present in both (query + body of one request).
    pub fn merge(mut self, other: Params) -> Result<Params, Repeated> {
        for (k, v) in other.0 {
            if self.0.contains_key(&k) {
                return Err(Repeated(k));
            }
            self.0.insert(k, v);
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_refused_and_empty_is_absent() {
        let p = Params::from_pairs([("a".into(), "1".into()), ("b".into(), "".into())]).unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert!(Params::from_pairs([("a".into(), "1".into()), ("a".into(), "2".into())]).is_err());
    }
}
