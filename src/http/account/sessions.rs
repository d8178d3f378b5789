//! `/cabinet/sessions`: the citizen's live sessions (device, address, start, last
//! activity, how they logged in; this one marked), ending one or all others, and
//! their own login history from the audit journal. An ended session's portals are
//! told by back-channel logout.

use super::devices::{device_of, format_time, method_text};
use super::{PageQuery, csrf, locale_with_switch, switch_url};
use crate::error::AppError;
use crate::http::backchannel;
use crate::http::client_ip::ClientIp;
use crate::http::oauth_response::redirect;
use crate::http::params::parse_urlencoded;
use crate::http::{pages, session};
use crate::state::AppState;
use crate::store::audit::{AuditEvent, AuditRow};
use crate::store::records::{AccountRecord, SessionRecord};
use crate::views::{Locale, LoginHistoryRow, SessionRow, SessionsPage};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;

/// How many journal entries the history shows.
const HISTORY: i64 = 50;

/// This browser's session and account, once any second factor is passed.
pub async fn signed_in(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<(SessionRecord, AccountRecord)>, AppError> {
    let Some(account) = super::cabinet::signed_in(state, jar).await? else {
        return Ok(None);
    };
    Ok(session::current(state, jar).await?.map(|s| (s, account)))
}

/// `GET /cabinet/sessions`.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let (l, jar) = locale_with_switch(&state, jar, q.lang.as_deref());
    let Some((current, account)) = signed_in(&state, &jar).await? else {
        return Ok((jar, redirect("/signin")).into_response());
    };
    let flash = match q.done.as_deref() {
        Some("ended") => Some(l.t("flash_session_ended")),
        Some("others") => Some(l.t("flash_sessions_ended")),
        Some("password") => Some(l.t("flash_password")),
        _ => None,
    };
    let now = state.now();
    let mut sessions: Vec<SessionRow> = state
        .store
        .sessions_of(&account.id, now)
        .await?
        .into_iter()
        .filter(|s| session::is_live(&state, s, now))
        .map(|s| SessionRow {
            current: s.id == current.id,
            device: device_of(s.user_agent.as_deref()).label(l),
            ip: s.ip.clone().unwrap_or_else(|| "—".to_owned()),
            started: format_time(s.created_at),
            last_seen: format_time(s.last_seen_at),
            method: method_text(&s.amr, l),
            id: s.id,
        })
        .collect();
    // This device first.
    sessions.sort_by_key(|s| !s.current);
    let history = state
        .store
        .login_history(&account.id, HISTORY)
        .await?
        .iter()
        .map(|e| history_row(e, l))
        .collect();
    let (token, jar) = csrf::token(&state, jar);
    let page = SessionsPage {
        t: l.texts(),
        lang: l.code(),
        l,
        switch_url: &switch_url("/cabinet/sessions", l),
        csrf: &token,
        flash,
        sessions,
        history,
    };
    Ok((jar, pages::html(StatusCode::OK, &page, &[])?).into_response())
}

fn history_row(e: &AuditRow, l: Locale) -> LoginHistoryRow {
    let key = format!("ev_{}", e.kind);
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
    let method = detail
        .get("method")
        .and_then(|m| m.as_str())
        .map(|m| method_text(&[m.to_owned()], l))
        .unwrap_or_default();
    LoginHistoryRow {
        when: format_time(e.at),
        what: if crate::views::has_text(&key) {
            l.t(&key)
        } else {
            ""
        },
        method,
        ip: e.ip.clone().unwrap_or_else(|| "—".to_owned()),
        device: device_of(e.user_agent.as_deref()).label(l),
        alarm: matches!(
            e.kind.as_str(),
            "login_failed"
                | "account_locked"
                | "second_factor_failed"
                | "certificate_refused"
                | "passkey_login_failed"
                | "password_change_failed"
                | "new_device"
        ),
    }
}

/// `POST /cabinet/sessions/end` (`session=<id>`): end one of the citizen's sessions.
pub async fn end_one(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some((current, account)) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/signin"));
    };
    let id = form.get("session").unwrap_or("");
    if id == current.id {
        // Ending this very session is signing out.
        let jar = session::end(&state, jar, &current).await?;
        return Ok((jar, redirect("/signin")).into_response());
    }
    let now = state.now();
    if state.store.end_own_session(&account.id, id, now).await?
        && let Some(ended) = state.store.session(id).await?
    {
        journal(&state, &account, ip, &headers, 1).await?;
        backchannel::session_ended(&state, &ended).await?;
    }
    // Unknown, someone else's, or already ended: the list shows the truth either way.
    Ok(redirect("/cabinet/sessions?done=ended"))
}

/// `POST /cabinet/sessions/end-others`: end every session but this one.
pub async fn end_others(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let form = parse_urlencoded(&body).unwrap_or_default();
    if !csrf::verify(&jar, &form) {
        return Ok(super::forbidden(l));
    }
    let Some((current, account)) = signed_in(&state, &jar).await? else {
        return Ok(redirect("/signin"));
    };
    let ended = state
        .store
        .end_other_sessions(&account.id, &current.id, state.now())
        .await?;
    if !ended.is_empty() {
        journal(&state, &account, ip, &headers, ended.len()).await?;
    }
    ended_by_id(&state, &ended).await?;
    Ok(redirect("/cabinet/sessions?done=others"))
}

/// Tell the portals of sessions just ended (by id).
pub async fn ended_by_id(state: &AppState, ids: &[String]) -> Result<usize, AppError> {
    let mut queued = 0;
    for id in ids {
        if let Some(s) = state.store.session(id).await? {
            queued += backchannel::session_ended(state, &s).await?;
        }
    }
    Ok(queued)
}

async fn journal(
    state: &AppState,
    account: &AccountRecord,
    ip: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    n: usize,
) -> Result<(), AppError> {
    let mut event = AuditEvent::new(
        state.now(),
        "sessions_ended",
        &account.id,
        "citizen",
        serde_json::json!({"count": n}),
    );
    event.ip = ip.map(|i| i.to_string());
    event.user_agent = super::register::user_agent(headers);
    state.store.append_audit(&event).await?;
    tracing::info!(account = %account.id, sessions = n, "sessions ended by the citizen");
    Ok(())
}
