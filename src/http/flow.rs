//! The authorization flow between `/authorize`, the hosted pages and the resume
//! endpoint. `/authorize` validates and either answers at once or parks the request in
//! an interaction; the pages record what the citizen did; `/authorize/{uid}` resumes
//! and asks the same pure `decide` again (the model of node-oidc-provider).

use super::oauth_response::{redirect, redirect_error, with_query};
use super::pages::{self, Problem};
use super::{cookies, metrics};
use crate::account::TrustLevel;
use crate::admin::access::Role;
use crate::error::AppError;
use crate::oidc::authorize::AuthorizationRequest;
use crate::oidc::claims::{IdTokenHint, trust_level};
use crate::oidc::decision::{
    Decision, Inputs, LevelCheck, Progress, SessionView, decide, required_level,
};
use crate::oidc::scope::{self, Scopes};
use crate::oidc::{ErrorCode, OAuthError};
use crate::secret::{Secret, random_b64, random_id};
use crate::state::AppState;
use crate::store::records::{
    AccountRecord, ClientRecord, CodeRecord, InteractionRecord, SessionRecord,
};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};

/// One authorization request on its way.
pub struct Flow {
    pub req: AuthorizationRequest,
    pub client: ClientRecord,
    pub session: Option<SessionRecord>,
    /// The session's account, read once for the whole request (decide and issue).
    pub account: Option<AccountRecord>,
    /// The citizen's own "always ask for a second factor" setting, read with the account.
    pub citizen_requires_factor: bool,
    /// The scopes the citizen has already consented to for this portal, read with the
    /// session.
    pub granted: Option<Vec<String>>,
    pub hint_sub: Option<String>,
    /// The parked interaction, once there is one.
    pub interaction: Option<InteractionRecord>,
    /// The browser's "trust this browser" token, if it has one.
    pub trust_token: Option<String>,
}

/// Recorded in the interaction when the citizen logs in on a hosted page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginDone {
    pub account_id: String,
    pub session_id: String,
}

impl Flow {
    /// The flow of this request in this browser: the browser's live session, its account
    /// with the citizen's second-factor setting, and the citizen's consent to this
    /// portal, read in one query.
    pub async fn start(
        state: &AppState,
        jar: &CookieJar,
        req: AuthorizationRequest,
        client: ClientRecord,
        hint_sub: Option<String>,
        interaction: Option<InteractionRecord>,
    ) -> Result<Flow, AppError> {
        let context = super::session::current_with_account(state, jar, Some(&client.id)).await?;
        let (session, account, citizen_requires_factor, granted) = match context {
            Some(c) => {
                let (account, rule) = c.account.map_or((None, false), |(a, r)| (Some(a), r));
                (Some(c.session), account, rule, c.consent)
            }
            None => (None, None, false, None),
        };
        Ok(Flow {
            req,
            client,
            session,
            account,
            citizen_requires_factor,
            granted,
            hint_sub,
            interaction,
            trust_token: cookies::value(jar, super::factor::TRUST_COOKIE).map(str::to_owned),
        })
    }

    pub fn progress(&self) -> Progress {
        let Some(i) = &self.interaction else {
            return Progress::default();
        };
        let logged_in = match (&i.login_json, &self.session) {
            (Some(json), Some(s)) => {
                serde_json::from_str::<LoginDone>(json).is_ok_and(|l| l.session_id == s.id)
            }
            _ => false,
        };
        Progress {
            logged_in,
            consented: i.consent_given,
        }
    }

    pub async fn decide(&self, state: &AppState) -> Result<Decision, AppError> {
        let view = self.session.as_ref().map(|s| SessionView {
            account_id: s.account_id.clone(),
            auth_time: s.auth_time,
        });
        let level = self.account.as_ref().map(|a| LevelCheck {
            current: trust_level(a),
            required: self.required_level(),
        });
        let factor_pending = match &self.session {
            Some(s) => {
                super::factor::pending(
                    state,
                    self.trust_token.as_deref(),
                    s,
                    Some(&self.client),
                    &self.req.acr_values,
                    self.citizen_requires_factor,
                )
                .await?
            }
            None => false,
        };
        // Consent is judged on what the code would carry (no role the account lacks).
        let request = match &self.session {
            Some(s)
                if self
                    .req
                    .scopes
                    .iter()
                    .any(|s| scope::MANAGEMENT.contains(&s)) =>
            {
                let mut r = self.req.clone();
                r.scopes = held_scopes(state, &s.account_id, &self.req.scopes).await?;
                std::borrow::Cow::Owned(r)
            }
            _ => std::borrow::Cow::Borrowed(&self.req),
        };
        Ok(decide(&Inputs {
            request: &request,
            session: view.as_ref(),
            hint_sub: self.hint_sub.as_deref(),
            granted: self.granted.as_deref(),
            progress: self.progress(),
            now: state.now(),
            level,
            factor_pending,
        }))
    }

    /// The portal's minimum level, raised by this request's `acr_values`.
    pub fn required_level(&self) -> TrustLevel {
        let min = TrustLevel::parse(&self.client.min_trust_level).unwrap_or(TrustLevel::Simplified);
        required_level(min, &self.req.acr_values)
    }

    fn fail(&self, state: &AppState, err: &OAuthError) -> Response {
        redirect_error(
            &self.req.redirect_uri,
            err,
            self.req.state.as_deref(),
            &state.config.issuer,
        )
    }
}

/// Verify an `id_token_hint`: our signature (expired tokens are fine, OIDC Core
/// §3.1.2.1), our issuer, this client among the audience. Returns its `sub`.
pub fn verify_hint(
    state: &AppState,
    hint: &str,
    client_id: Option<&str>,
) -> Result<IdTokenHint, OAuthError> {
    let bad = || OAuthError::invalid_request("id_token_hint is not a valid ID token issued here");
    let verified = state
        .keys()
        .verify::<IdTokenHint>(hint)
        .map_err(|_| bad())?;
    let claims = verified.claims;
    if claims.iss != state.config.issuer {
        return Err(bad());
    }
    if let Some(id) = client_id
        && !claims.aud.contains(id)
    {
        return Err(bad());
    }
    Ok(claims)
}

/// Carry out the decision for this flow.
pub async fn proceed(state: &AppState, jar: CookieJar, flow: Flow) -> Result<Response, AppError> {
    match flow.decide(state).await? {
        Decision::Interact(_) => park(state, jar, flow).await,
        Decision::Fail(err) => {
            let jar = finish_interaction(state, jar, &flow).await?;
            let Some(jar) = jar else {
                return Ok(expired(&flow));
            };
            Ok((jar, flow.fail(state, &err)).into_response())
        }
        Decision::Issue => issue(state, jar, flow).await,
    }
}

/// Park the request in an interaction (or reuse the parked one) and send the browser
/// to the hosted pages.
async fn park(state: &AppState, jar: CookieJar, flow: Flow) -> Result<Response, AppError> {
    if let Some(i) = &flow.interaction {
        return Ok(redirect(&format!("/interaction/{}", i.id)));
    }
    let now = state.now();
    let binding = Secret::generate();
    let ttl = state.config.tokens.interaction_ttl;
    let record = InteractionRecord {
        id: random_id(),
        binding_hash: binding.hash(),
        csrf_token: random_b64(32),
        request_json: serde_json::to_string(&flow.req)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        login_json: None,
        consent_given: false,
        created_at: now,
        expires_at: now + ttl,
    };
    state.store.insert_interaction(&record).await?;
    let cookie = cookies::build(
        state,
        cookies::interaction_name(&record.id),
        binding.into_string(),
        Some(ttl),
    );
    let jar = jar.add(cookie);
    Ok((jar, redirect(&format!("/interaction/{}", record.id))).into_response())
}

/// Take the parked interaction (one resume wins) and drop its cookie. `None`: another
/// request finished it first.
async fn finish_interaction(
    state: &AppState,
    jar: CookieJar,
    flow: &Flow,
) -> Result<Option<CookieJar>, AppError> {
    let Some(i) = &flow.interaction else {
        return Ok(Some(jar));
    };
    if state.store.take_interaction(&i.id).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(jar.add(cookies::removal(
        state,
        cookies::interaction_name(&i.id),
    ))))
}

fn expired(flow: &Flow) -> Response {
    let locale = flow
        .req
        .ui_locales
        .as_deref()
        .and_then(crate::views::Locale::from_ui_locales)
        .unwrap_or_default();
    pages::error(
        locale,
        StatusCode::BAD_REQUEST,
        Problem::InteractionExpired,
        "interaction_expired",
    )
}

/// The requested scopes less the management ones (`propusk:*`) the account does not hold:
/// a portal registered for a role scope can pass it on only to citizens given that role.
pub async fn held_scopes(
    state: &AppState,
    account_id: &str,
    requested: &Scopes,
) -> Result<Scopes, AppError> {
    let mut scopes = requested.clone();
    if scopes.iter().any(|s| scope::MANAGEMENT.contains(&s)) {
        let roles = state.store.roles_of(account_id).await?;
        scopes
            .retain(|s| Role::from_scope(s).is_none_or(|r| roles.iter().any(|h| h == r.as_str())));
    }
    Ok(scopes)
}

/// Mint the authorization code and send it back (RFC 6749 §4.1.2, RFC 9207 `iss`).
async fn issue(state: &AppState, jar: CookieJar, flow: Flow) -> Result<Response, AppError> {
    let Some(session) = flow.session.as_ref() else {
        // decide() never issues without a session; answer as the spec would.
        let err = OAuthError::new(ErrorCode::LoginRequired, "no session");
        return Ok(flow.fail(state, &err));
    };
    let Some(account) = flow.account.as_ref().filter(|a| a.status == "active") else {
        let err = OAuthError::new(ErrorCode::LoginRequired, "the account is not available");
        return Ok(flow.fail(state, &err));
    };
    let level = trust_level(account);
    let required = flow.required_level();
    if level < required {
        let err = OAuthError::new(
            ErrorCode::AccessDenied,
            format!("the portal requires a {} account", required.as_str()),
        );
        return Ok(flow.fail(state, &err));
    }
    let Some(jar) = finish_interaction(state, jar, &flow).await? else {
        return Ok(expired(&flow));
    };
    let now = state.now();
    let code = Secret::generate();
    let record = CodeRecord {
        code_hash: code.hash(),
        grant_id: random_id(),
        client_id: flow.client.id.clone(),
        account_id: account.id.clone(),
        session_id: session.id.clone(),
        redirect_uri: flow.req.redirect_uri.clone(),
        scopes: held_scopes(state, &account.id, &flow.req.scopes)
            .await?
            .into_vec(),
        nonce: flow.req.nonce.clone(),
        code_challenge: flow.req.code_challenge.clone(),
        auth_time: session.auth_time,
        acr: level.acr().to_owned(),
        amr: session.amr.clone(),
        created_at: now,
        expires_at: now + state.config.tokens.code_ttl,
        consumed_at: None,
    };
    state.store.insert_code(&record).await?;
    metrics::code_issued();
    let mut pairs = vec![("code", code.expose())];
    if let Some(s) = flow.req.state.as_deref() {
        pairs.push(("state", s));
    }
    pairs.push(("iss", state.config.issuer.as_str()));
    let to = with_query(&flow.req.redirect_uri, &pairs);
    Ok((jar, redirect(&to)).into_response())
}

/// Rebuild the flow of a parked interaction for this browser. `Err(page)` when the
/// interaction is unknown, expired, or belongs to another browser.
pub async fn load(
    state: &AppState,
    jar: &CookieJar,
    uid: &str,
) -> Result<Result<Flow, Box<Response>>, AppError> {
    let locale = pages::locale(None, jar);
    let gone = || {
        Err(Box::new(pages::error(
            locale,
            StatusCode::BAD_REQUEST,
            Problem::InteractionExpired,
            "interaction_expired",
        )))
    };
    let Some(record) = state.store.interaction(uid).await? else {
        return Ok(gone());
    };
    let bound = cookies::value(jar, &cookies::interaction_name(uid)).is_some_and(|v| {
        crate::secret::constant_time_eq(&crate::secret::hash_token(v), &record.binding_hash)
    });
    if !bound || record.expires_at <= state.now() {
        return Ok(gone());
    }
    let req: AuthorizationRequest = serde_json::from_str(&record.request_json)
        .map_err(|e| AppError::Internal(format!("interaction {uid}: {e}")))?;
    let Some(client) = state.store.active_client(&req.client_id).await? else {
        return Ok(gone());
    };
    let hint_sub = match req.id_token_hint.as_deref() {
        Some(h) => verify_hint(state, h, Some(&client.id)).ok().map(|c| c.sub),
        None => None,
    };
    Ok(Ok(Flow::start(
        state,
        jar,
        req,
        client,
        hint_sub,
        Some(record),
    )
    .await?))
}
