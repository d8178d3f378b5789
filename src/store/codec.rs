//! Lists and flags as the schema keeps them: JSON text and BIGINT 0/1.

use super::StoreError;

pub fn list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_owned())
}

pub fn parse_list(column: &str, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
