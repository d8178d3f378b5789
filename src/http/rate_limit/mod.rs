//! Per-IP and per-identifier rate limits on the hosted pages' expensive or abusable
//! posts: logins (password guessing, password spraying), code sending (SMS bombing and
//! its bill), registration and recovery. One middleware on the router, keyed by the
//! matched route, reads the identifier from the form (the body is buffered and handed
//! on unchanged), so the handlers know nothing of it. Over the limit: 429 with
//! `Retry-After` and a page in the citizen's language.
//!
//! The buckets are in this node's memory (`limits.rs`); the lockout counters in the
//! database are what holds across nodes.

pub mod config;
mod limits;

pub use limits::{Category, RateLimits, RetryAfter};

use super::client_ip::client_ip;
use super::params::parse_urlencoded;
use super::{account, pages};
use crate::account::{Email, Phone, login_candidates};
use crate::state::AppState;
use crate::store::records::LoginKey;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use std::net::SocketAddr;

/// What the middleware needs: the buckets, and the state (config for the client's
/// address, the store to find where a resent code goes).
#[derive(Clone)]
pub struct Guard {
    pub state: AppState,
    pub limits: RateLimits,
}

impl Guard {
    pub fn new(state: &AppState) -> Guard {
        Guard {
            limits: RateLimits::new(&state.config.rate_limits, state.clock.clone()),
            state: state.clone(),
        }
    }
}

/// Where a route's identifier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The `login` field: a phone, an e-mail or a SNILS.
    LoginField,
    /// The `contact` field: a phone or an e-mail.
    ContactField,
    /// The `{id}` of a code flow: where its code goes.
    CodeFlow,
    /// Counted per address only.
    None,
}

/// The limited routes (POST only; pages shown by GET are never limited).
fn rule(route: &str) -> Option<(&'static [Category], Source)> {
    use Category::*;
    Some(match route {
        "/interaction/{uid}/login" | "/signin" => (&[Login], Source::LoginField),
        "/register" => (&[Register, Code], Source::ContactField),
        "/cabinet/contact" => (&[Code], Source::ContactField),
        "/register/{id}/resend"
        | "/recover/{id}/resend"
        | "/cabinet/contact/{id}/resend"
        | "/factor/code/{id}/resend" => (&[Code], Source::CodeFlow),
        "/factor/send" => (&[Code], Source::None),
        "/recover" => (&[Recover], Source::LoginField),
        _ => return None,
    })
}

pub async fn enforce(
    State(guard): State<Guard>,
    route: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let rule = route.as_ref().and_then(|r| rule(r.as_str()));
    let Some((categories, source)) = rule.filter(|_| guard.limits.enabled()) else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Some(ip) = client_ip(peer, req.headers(), &guard.state.config) {
        for c in categories {
            if let Err(wait) = guard.limits.check_ip(*c, ip) {
                return too_many(&req, *c, wait, "ip");
            }
        }
    }
    let (req, ids) = match identifiers(&guard.state, req, source).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    for c in categories {
        for id in &ids {
            if let Err(wait) = guard.limits.check_identifier(*c, id) {
                return too_many(&req, *c, wait, "identifier");
            }
        }
    }
    next.run(req).await
}

/// The request's identifiers, normalised so that every spelling of one phone number
/// shares a bucket, and the request to hand on (its body put back).
async fn identifiers(
    state: &AppState,
    req: Request,
    source: Source,
) -> Result<(Request, Vec<String>), Response> {
    let field = match source {
        Source::None => return Ok((req, Vec::new())),
        Source::CodeFlow => {
            let ids = flow_identifier(state, req.uri().path()).await;
            return Ok((req, ids.into_iter().collect()));
        }
        Source::LoginField => "login",
        Source::ContactField => "contact",
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, super::BODY_LIMIT).await else {
        return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    };
    // A malformed form has no identifier; the handler will say what is wrong with it.
    let typed = parse_urlencoded(&bytes)
        .ok()
        .and_then(|f| f.get(field).map(str::to_owned))
        .unwrap_or_default();
    let ids = match source {
        Source::ContactField => contact_keys(&typed),
        _ => login_keys(&typed),
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), ids))
}

fn login_keys(typed: &str) -> Vec<String> {
    let t = typed.trim();
    if t.is_empty() {
        return Vec::new();
    }
    match login_candidates(t) {
        Ok(keys) if !keys.is_empty() => keys
            .iter()
            .map(|k| match k {
                LoginKey::Phone(p) => format!("phone:{p}"),
                // Case never tells two mailboxes apart for our purpose.
                LoginKey::Email(e) => format!("email:{}", e.to_lowercase()),
                LoginKey::Snils(s) => format!("snils:{s}"),
            })
            .collect(),
        _ => vec![raw_key(t)],
    }
}

fn contact_keys(typed: &str) -> Vec<String> {
    let t = typed.trim();
    if t.is_empty() {
        return Vec::new();
    }
    let parsed = if t.contains('@') {
        Email::parse(t)
            .ok()
            .map(|e| format!("email:{}", e.as_str().to_lowercase()))
    } else {
        Phone::parse(t)
            .ok()
            .map(|p| format!("phone:{}", p.as_str()))
    };
    vec![parsed.unwrap_or_else(|| raw_key(t))]
}

/// Something that is no identifier at all still gets a (bounded) bucket of its own.
fn raw_key(t: &str) -> String {
    format!(
        "raw:{}",
        t.to_lowercase().chars().take(128).collect::<String>()
    )
}

/// `/register/{id}/resend` and the like: the contact the flow's code goes to, so a
/// resend shares the bucket of the first sending.
async fn flow_identifier(state: &AppState, path: &str) -> Option<String> {
    let id = path
        .trim_end_matches("/resend")
        .rsplit('/')
        .next()
        .filter(|i| account::is_token(i))?;
    let row = match state.store.code_row(id).await {
        Ok(r) => r?,
        Err(e) => {
            // The handler will meet the same error and answer it.
            tracing::warn!(error = %e, "rate limit: code flow lookup failed");
            return None;
        }
    };
    match row.channel.as_str() {
        "sms" => Some(format!("phone:{}", row.target)),
        "email" => Some(format!("email:{}", row.target.to_lowercase())),
        _ => None,
    }
}

/// 429 with `Retry-After` and a page saying how long to wait.
fn too_many(req: &Request, c: Category, wait: RetryAfter, by: &'static str) -> Response {
    metrics::counter!("propusk_rate_limited_total", "category" => c.as_str(), "by" => by)
        .increment(1);
    tracing::info!(category = c.as_str(), by, "rate limited");
    let l = pages::locale(None, &CookieJar::from_headers(req.headers()));
    let (text_key, link) = match c {
        Category::Login => ("rate_login", ("/recover", "recover_link")),
        Category::Code => ("rate_code", ("/signin", "login_link")),
        Category::Register => ("rate_register", ("/signin", "login_link")),
        Category::Recover => ("rate_recover", ("/signin", "login_link")),
    };
    let text = format!(
        "{} {}",
        l.t(text_key),
        l.t("rate_wait").replace("{}", &wait.0.to_string())
    );
    let page = account::notice(
        l,
        StatusCode::TOO_MANY_REQUESTS,
        l.t("rate_heading"),
        &text,
        true,
        vec![(link.0.to_owned(), l.t(link.1))],
    );
    let mut resp = match page {
        Ok(p) => p,
        Err(e) => e.into_response(),
    };
    *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let h = resp.headers_mut();
    h.insert(header::RETRY_AFTER, HeaderValue::from(wait.0));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_phone_shares_a_key() {
        assert_eq!(login_keys("+7 912 345-67-89"), ["phone:+79123456789"]);
        assert_eq!(login_keys(" +7(912)3456789 "), ["phone:+79123456789"]);
        assert_eq!(
            contact_keys("8 912 345 67 89"),
            contact_keys("+79123456789")
        );
        assert_eq!(
            login_keys("Ivanov@Example.RU"),
            login_keys("ivanov@example.ru")
        );
        assert_eq!(login_keys(""), Vec::<String>::new());
        assert_eq!(login_keys("not a login"), ["raw:not a login"]);
    }

    #[test]
    fn only_the_abusable_posts_are_limited() {
        assert_eq!(
            rule("/signin"),
            Some((&[Category::Login][..], Source::LoginField))
        );
        assert_eq!(
            rule("/register").map(|r| r.0.to_vec()),
            Some(vec![Category::Register, Category::Code])
        );
        assert_eq!(
            rule("/register/{id}/resend").map(|r| r.1),
            Some(Source::CodeFlow)
        );
        assert_eq!(rule("/token"), None);
        assert_eq!(rule("/interaction/{uid}/consent"), None);
    }
}
