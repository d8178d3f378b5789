//! Login with a qualified electronic signature: the certificate comes from the mutual
//! TLS listener (or from a trusted proxy's header), is checked (dates, key usage, chain,
//! revocation), matched to the account by SNILS, and logs the citizen in without a
//! password. A trusted qualified certificate raises a standard account to confirmed.

use super::account::cabinet::signed_in;
use super::flow;
use super::oauth_response::redirect;
use super::pages;
use super::peer::{ClientCertChain, Peer};
use super::session::{self, NewSession};
use crate::account::TrustLevel;
use crate::authn::certificate::{CertError, CertIdentity, cert_from_header, is_trusted_proxy};
use crate::error::AppError;
use crate::oidc::claims::trust_level;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::AuditEvent;
use crate::store::certificates::CertificateRow;
use crate::store::levels::Confirmation;
use crate::store::records::{AccountRecord, LoginKey};
use crate::views::Locale;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum_extra::extract::cookie::CookieJar;
use rustls::pki_types::CertificateDer;

/// The chain this request presents, and whether a proxy handed it over.
fn presented(
    state: &AppState,
    tls: Option<&ClientCertChain>,
    peer: Option<std::net::SocketAddr>,
    headers: &HeaderMap,
) -> (Vec<CertificateDer<'static>>, bool) {
    if let Some(chain) = tls.filter(|c| !c.0.is_empty()) {
        return (chain.0.clone(), false);
    }
    let cfg = &state.config.certificate_login;
    if is_trusted_proxy(peer, &cfg.trusted_proxies)
        && let Some(cert) = headers
            .get(cfg.proxy_header.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(cert_from_header)
    {
        return (vec![cert], true);
    }
    (Vec::new(), false)
}

/// Everything a certificate must pass before it names a citizen.
pub fn check(
    state: &AppState,
    chain: &[CertificateDer<'_>],
    via_proxy: bool,
) -> Result<CertIdentity, CertError> {
    let Some(leaf) = chain.first() else {
        return Err(CertError::NotPresented);
    };
    let Some(trust) = &state.certs else {
        return Err(CertError::NotPresented);
    };
    let id = CertIdentity::from_der(leaf)?;
    let now = state.now();
    id.check_usable(now)?;
    // A proxy configured to verify the chain itself (GOST, which rustls-webpki cannot
    // verify) is believed; otherwise the chain and the CRLs are checked here.
    if !(via_proxy && state.config.certificate_login.proxy_verifies_chain) {
        trust.verify(chain, now)?;
    }
    if id.snils.is_none() {
        return Err(CertError::NoSnils);
    }
    Ok(id)
}

async fn account_for(
    state: &AppState,
    id: &CertIdentity,
) -> Result<Result<AccountRecord, CertError>, AppError> {
    let Some(snils) = &id.snils else {
        return Ok(Err(CertError::NoSnils));
    };
    Ok(state
        .store
        .account_by_login(&LoginKey::Snils(snils.clone()))
        .await?
        .filter(|a| a.status == "active")
        .ok_or(CertError::NoAccount))
}

fn row(id: &CertIdentity, account_id: &str, now: i64) -> CertificateRow {
    CertificateRow {
        fingerprint: id.fingerprint.clone(),
        account_id: account_id.to_owned(),
        subject: id.subject.clone(),
        issuer: id.issuer.clone(),
        serial: id.serial.clone(),
        not_after: id.not_after,
        qualified: i64::from(id.qualified),
        bound_at: now,
        last_used_at: Some(now),
    }
}

/// `GET /interaction/{uid}/certificate`: log in with the presented certificate.
pub async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
    Peer(peer): Peer,
    tls: Option<Extension<ClientCertChain>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let flow = match flow::load(&state, &jar, &uid).await? {
        Ok(f) => f,
        Err(page) => return Ok(*page),
    };
    let l = pages::locale(flow.req.ui_locales.as_deref(), &jar);
    let back = format!("{}/interaction/{uid}", state.config.issuer);
    let (chain, via_proxy) = presented(&state, tls.as_ref().map(|e| &e.0), peer, &headers);
    let id = match check(&state, &chain, via_proxy) {
        Ok(id) => id,
        Err(e) => return refuse(&state, l, e, &back, None).await,
    };
    let account = match account_for(&state, &id).await? {
        Ok(a) => a,
        Err(e) => return refuse(&state, l, e, &back, None).await,
    };
    let now = state.now();
    let level = raise(&state, &account, &id, now).await?;
    let mut amr = vec!["sc".to_owned()];
    if id.qualified {
        amr.push("qes".to_owned());
    }
    let jar = session::start_for_interaction(
        &state,
        jar,
        flow.session.as_ref(),
        NewSession {
            account_id: &account.id,
            amr,
            acr: level.acr().to_owned(),
            user_agent: super::account::register::user_agent(&headers),
            ip: peer.map(|p| p.ip().to_string()),
        },
        &uid,
    )
    .await?;
    let event = AuditEvent::new(
        now,
        "certificate_login",
        &account.id,
        "citizen",
        serde_json::json!({"serial": id.serial, "issuer": id.issuer, "qualified": id.qualified, "via_proxy": via_proxy}),
    );
    state
        .store
        .bind_certificate(&row(&id, &account.id, now), None, &event, now)
        .await?;
    tracing::info!(account = %account.id, qualified = id.qualified, "certificate login");
    Ok((jar, redirect(&format!("/authorize/{uid}"))).into_response())
}

/// A trusted qualified certificate with the account's SNILS confirms the identity of a
/// standard account (REQUIREMENTS.md). Returns the level after the login.
async fn raise(
    state: &AppState,
    account: &AccountRecord,
    id: &CertIdentity,
    now: i64,
) -> Result<TrustLevel, AppError> {
    let level = trust_level(account);
    if !(id.qualified && level == TrustLevel::Standard) {
        return Ok(level);
    }
    let document = format!(
        "qualified certificate {} issued by {}",
        id.serial, id.issuer
    );
    let raised = state
        .store
        .confirm_identity(&Confirmation {
            account_id: &account.id,
            method: "certificate",
            actor: "citizen",
            document: Some(&document),
            at: now,
        })
        .await?;
    Ok(if raised { TrustLevel::Confirmed } else { level })
}

/// `GET /cabinet/certificate`: bind the presented certificate to the signed-in account.
pub async fn bind(
    State(state): State<AppState>,
    jar: CookieJar,
    Peer(peer): Peer,
    tls: Option<Extension<ClientCertChain>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let l = pages::locale(None, &jar);
    let Some(account) = signed_in(&state, &jar).await? else {
        return Ok(redirect(&format!("{}/signin", state.config.issuer)));
    };
    let back = format!("{}/cabinet", state.config.issuer);
    let (chain, via_proxy) = presented(&state, tls.as_ref().map(|e| &e.0), peer, &headers);
    let id = match check(&state, &chain, via_proxy) {
        Ok(id) => id,
        Err(e) => return refuse(&state, l, e, &back, Some(&account.id)).await,
    };
    let set_snils = match (&account.snils, &id.snils) {
        (Some(mine), Some(theirs)) if mine != theirs => {
            return refuse(&state, l, CertError::OtherSnils, &back, Some(&account.id)).await;
        }
        (None, Some(theirs)) => Some(theirs.as_str()),
        _ => None,
    };
    let now = state.now();
    let event = AuditEvent::new(
        now,
        "certificate_bound",
        &account.id,
        "citizen",
        serde_json::json!({"serial": id.serial, "issuer": id.issuer, "qualified": id.qualified}),
    );
    match state
        .store
        .bind_certificate(&row(&id, &account.id, now), set_snils, &event, now)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return refuse(&state, l, CertError::OtherSnils, &back, Some(&account.id)).await;
        }
        Err(e) => return Err(e.into()),
    }
    raise(&state, &account, &id, now).await?;
    Ok(redirect(&format!(
        "{}/cabinet?done=certificate",
        state.config.issuer
    )))
}

/// The page for a refused certificate: what is wrong and the way back. Failures are
/// audited when the account is known.
async fn refuse(
    state: &AppState,
    l: Locale,
    e: CertError,
    back: &str,
    account_id: Option<&str>,
) -> Result<Response, AppError> {
    tracing::info!(code = e.code(), "certificate refused");
    if let Some(a) = account_id {
        state
            .store
            .append_audit(&AuditEvent::new(
                state.now(),
                "certificate_refused",
                a,
                "citizen",
                serde_json::json!({"code": e.code()}),
            ))
            .await?;
    }
    let status = match e {
        CertError::NotPresented | CertError::NoAccount => StatusCode::UNAUTHORIZED,
        _ => StatusCode::FORBIDDEN,
    };
    let text = format!("{} ({})", l.t(e.code()), e.code());
    super::account::notice(
        l,
        status,
        l.t("cert_refused_heading"),
        &text,
        true,
        vec![(back.to_owned(), l.t("cert_back"))],
    )
}
