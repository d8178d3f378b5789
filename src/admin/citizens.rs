//! Looking citizens up: a paged search by phone, e-mail, SNILS (typed in any format) or
//! words of the name, and the full view of one citizen (profile, level, personal data,
//! factors, lockout, live sessions, roles).

use super::access::Role;
use super::citizen_types::{Citizen, CitizenPage, CitizenQuery, CitizenSummary, Lockout};
use super::error::Checks;
use super::{AdminError, Operation, Permit, plausible_id};
use crate::account::{Email, Phone, Snils, login_candidates};
use crate::state::AppState;
use crate::store::admin_citizens::AccountFilter;
use crate::store::records::{AccountRecord, LoginKey};

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// The account `id`, or 404.
pub async fn load_account(state: &AppState, id: &str) -> Result<AccountRecord, AdminError> {
    if !plausible_id(id) {
        return Err(AdminError::NotFound("citizen"));
    }
    state
        .store
        .account(id)
        .await?
        .ok_or(AdminError::NotFound("citizen"))
}

pub async fn search(
    state: &AppState,
    permit: &Permit,
    q: &CitizenQuery,
) -> Result<CitizenPage, AdminError> {
    permit.actor_for(Operation::SearchCitizens)?;
    let (filters, after, limit) = parse(q)?;
    let mut rows = state
        .store
        .search_accounts(&filters, after.as_deref(), limit + 1)
        .await?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(CitizenPage {
        next_cursor: if more {
            rows.last().map(|a| a.id.clone())
        } else {
            None
        },
        items: rows.iter().map(CitizenSummary::from).collect(),
    })
}

pub async fn view(state: &AppState, permit: &Permit, id: &str) -> Result<Citizen, AdminError> {
    permit.actor_for(Operation::ViewCitizen)?;
    let a = load_account(state, id).await?;
    let store = &state.store;
    let personal = store.personal_data(&a.id).await?;
    let factors = store.factor_summary(&a.id).await?;
    let lockout = store
        .lockout_of(&a.id)
        .await?
        .map(
            |(failed_logins, locked_until, failed_factors, factors_locked_until)| Lockout {
                failed_logins,
                locked_until,
                failed_factors,
                factors_locked_until,
            },
        )
        .unwrap_or_default();
    let sessions = store.sessions_of(&a.id, state.now()).await?;
    let roles = store
        .roles_of(&a.id)
        .await?
        .iter()
        .filter_map(|r| Role::parse(r))
        .collect();
    Ok(Citizen::new(
        &a,
        personal.as_ref(),
        &factors,
        lockout,
        &sessions,
        roles,
    ))
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The search's filters, cursor and page size, or every bad parameter named.
fn parse(q: &CitizenQuery) -> Result<(Vec<AccountFilter>, Option<String>, i64), AdminError> {
    let mut c = Checks::default();
    let mut filters = Vec::new();
    if let Some(v) = given(&q.q) {
        match login_candidates(v) {
            Ok(keys) => filters.push(AccountFilter::AnyLogin(keys)),
            Err(_) => name_words(&mut c, "q", v, &mut filters),
        }
    }
    if let Some(v) = given(&q.phone) {
        match Phone::parse(v) {
            Ok(p) => filters.push(login(LoginKey::Phone(p.as_str().to_owned()))),
            Err(e) => c.fail("phone", e.to_string()),
        }
    }
    if let Some(v) = given(&q.email) {
        match Email::parse(v) {
            Ok(e) => filters.push(login(LoginKey::Email(e.as_str().to_owned()))),
            Err(e) => c.fail("email", e.to_string()),
        }
    }
    if let Some(v) = given(&q.snils) {
        match Snils::parse(v) {
            Ok(s) => filters.push(login(LoginKey::Snils(s.as_str().to_owned()))),
            Err(e) => c.fail("snils", e.to_string()),
        }
    }
    if let Some(v) = given(&q.name) {
        name_words(&mut c, "name", v, &mut filters);
    }
    let limit = page_limit(&mut c, q.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT);
    let cursor = given(&q.cursor).map(str::to_owned);
    if cursor.as_deref().is_some_and(|v| !plausible_id(v)) {
        c.fail("cursor", "not a cursor from this API");
    }
    c.finish()?;
    Ok((filters, cursor, limit))
}

fn login(key: LoginKey) -> AccountFilter {
    AccountFilter::AnyLogin(vec![key])
}

/// Each word must occur in the full name. Names are stored as typed, and neither
/// backend folds Cyrillic case portably, so a word matches as typed, in lower case or
/// capitalised ("иванов", "ИВАНОВ" → "Иванов").
fn name_words(c: &mut Checks, field: &str, v: &str, out: &mut Vec<AccountFilter>) {
    let words: Vec<&str> = v.split_whitespace().collect();
    if words.len() > 5
        || words
            .iter()
            .any(|w| w.chars().count() > 60 || w.chars().any(char::is_control))
    {
        c.fail(field, "at most 5 words of at most 60 characters");
        return;
    }
    for w in words {
        let lower = w.to_lowercase();
        let mut chars = lower.chars();
        let capitalised: String = chars
            .next()
            .map(|f| f.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let mut spellings = vec![w.to_owned()];
        for s in [lower, capitalised] {
            if !spellings.contains(&s) {
                spellings.push(s);
            }
        }
        out.push(AccountFilter::NameContains(spellings));
    }
}

/// `limit`: 1 to `max`, `default` when absent.
pub fn page_limit(c: &mut Checks, raw: Option<&str>, default: i64, max: i64) -> i64 {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                c.fail("limit", format!("an integer from 1 to {max}"));
                default
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_login_is_an_identifier_and_anything_else_a_name() {
        let q = CitizenQuery {
            q: Some("8 (912) 345-67-89".into()),
            ..Default::default()
        };
        let (f, _, limit) = parse(&q).unwrap();
        assert_eq!(
            f,
            vec![AccountFilter::AnyLogin(vec![LoginKey::Phone(
                "+79123456789".into()
            )])]
        );
        assert_eq!(limit, DEFAULT_LIMIT);
        let q = CitizenQuery {
            q: Some("иванов".into()),
            ..Default::default()
        };
        let (f, _, _) = parse(&q).unwrap();
        assert_eq!(
            f,
            vec![AccountFilter::NameContains(vec![
                "иванов".into(),
                "Иванов".into()
            ])]
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let q = CitizenQuery {
            phone: Some("12".into()),
            limit: Some("1000".into()),
            ..Default::default()
        };
        match parse(&q) {
            Err(AdminError::Invalid(e)) => {
                let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, vec!["phone", "limit"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
