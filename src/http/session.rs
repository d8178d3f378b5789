//! The browser's login session: a random secret in a cookie, its hash in the database.
//! A session ends on logout, after `idle_timeout` without use, and after
//! `absolute_lifetime` in any case.

use super::cookies;
use super::flow::LoginDone;
use crate::error::AppError;
use crate::secret::{Secret, hash_token, random_id};
use crate::state::AppState;
use crate::store::records::{InteractionLogin, SessionContext, SessionRecord};
use axum_extra::extract::cookie::CookieJar;

/// The live session of this browser, if any. Touches `last_seen_at`.
pub async fn current(state: &AppState, jar: &CookieJar) -> Result<Option<SessionRecord>, AppError> {
    let Some(secret) = cookies::value(jar, cookies::SESSION) else {
        return Ok(None);
    };
    let found = state.store.session_by_secret(&hash_token(secret)).await?;
    keep_if_live(state, found).await
}

/// `current` with the session's account, the citizen's second-factor setting and the
/// consent to `client_id` (if one is named), read in the same query.
pub async fn current_with_account(
    state: &AppState,
    jar: &CookieJar,
    client_id: Option<&str>,
) -> Result<Option<SessionContext>, AppError> {
    let Some(secret) = cookies::value(jar, cookies::SESSION) else {
        return Ok(None);
    };
    let found = state
        .store
        .session_with_account(&hash_token(secret), client_id)
        .await?;
    let Some(context) = found else {
        return Ok(None);
    };
    let session = keep_if_live(state, Some(context.session)).await?;
    Ok(session.map(|session| SessionContext { session, ..context }))
}

async fn keep_if_live(
    state: &AppState,
    found: Option<SessionRecord>,
) -> Result<Option<SessionRecord>, AppError> {
    let Some(s) = found else { return Ok(None) };
    let now = state.now();
    if !is_live(state, &s, now) {
        return Ok(None);
    }
    if now > s.last_seen_at {
        state.store.touch_session(&s.id, now).await?;
    }
    Ok(Some(s))
}

pub fn is_live(state: &AppState, s: &SessionRecord, now: i64) -> bool {
    s.ended_at.is_none()
        && now < s.expires_at
        && now - s.last_seen_at <= state.config.session.idle_timeout
}

/// What a new login records about the browser.
pub struct NewSession<'a> {
    pub account_id: &'a str,
    pub amr: Vec<String>,
    pub acr: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// Start a session (always a fresh id and secret: no session fixation) and end the
/// browser's previous one. Returns the record and the jar with the new cookie.
pub async fn start(
    state: &AppState,
    jar: CookieJar,
    previous: Option<&SessionRecord>,
    new: NewSession<'_>,
) -> Result<(SessionRecord, CookieJar), AppError> {
    begin(state, jar, previous, new, None).await
}

/// `start` for a login made on interaction `uid`'s page (password, passkey,
/// certificate): the interaction records the login (`LoginDone`) in the same write as
/// the new session. Returns the jar with the new cookie.
pub async fn start_for_interaction(
    state: &AppState,
    jar: CookieJar,
    previous: Option<&SessionRecord>,
    new: NewSession<'_>,
    uid: &str,
) -> Result<CookieJar, AppError> {
    Ok(begin(state, jar, previous, new, Some(uid)).await?.1)
}

async fn begin(
    state: &AppState,
    jar: CookieJar,
    previous: Option<&SessionRecord>,
    new: NewSession<'_>,
    interaction: Option<&str>,
) -> Result<(SessionRecord, CookieJar), AppError> {
    let now = state.now();
    if let Some(p) = previous
        && state.store.end_session(&p.id, now).await?
    {
        tell_portals(state, p).await;
    }
    let secret = Secret::generate();
    let record = SessionRecord {
        id: random_id(),
        account_id: new.account_id.to_owned(),
        auth_time: now,
        amr: new.amr,
        acr: new.acr,
        created_at: now,
        last_seen_at: now,
        expires_at: now + state.config.session.absolute_lifetime,
        ended_at: None,
        user_agent: new.user_agent,
        ip: new.ip,
    };
    // What the interaction records: who logged in, with which session.
    let login = match interaction {
        Some(uid) => Some((uid, login_json(&record)?)),
        None => None,
    };
    let completes = login.as_ref().map(|(uid, json)| InteractionLogin {
        interaction_id: uid,
        login_json: json,
    });
    state
        .store
        .insert_session(&record, &secret.hash(), completes)
        .await?;
    // A session cookie (no Max-Age): it also ends when the browser closes.
    let cookie = cookies::build(
        state,
        cookies::SESSION.to_owned(),
        secret.into_string(),
        None,
    );
    Ok((record, jar.add(cookie)))
}

fn login_json(session: &SessionRecord) -> Result<String, AppError> {
    serde_json::to_string(&LoginDone {
        account_id: session.account_id.clone(),
        session_id: session.id.clone(),
    })
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// End the session and clear the cookie. The portals that got tokens in it are told
/// (back-channel logout).
pub async fn end(
    state: &AppState,
    jar: CookieJar,
    s: &SessionRecord,
) -> Result<CookieJar, AppError> {
    if state.store.end_session(&s.id, state.now()).await? {
        tell_portals(state, s).await;
    }
    Ok(jar.add(cookies::removal(state, cookies::SESSION.to_owned())))
}

/// Queue back-channel logouts for an ended session. A failure here is logged, not
/// returned: the citizen's logout has happened and must not turn into an error page.
async fn tell_portals(state: &AppState, s: &SessionRecord) {
    if let Err(e) = super::backchannel::session_ended(state, s).await {
        tracing::error!(session = %s.id, error = %e, "queueing back-channel logout failed");
    }
}
