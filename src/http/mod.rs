//! The HTTP surface: the route table, security headers and metrics. Handlers parse,
//! call the protocol core and the store, and respond; they hold no protocol logic.

mod access;
pub mod account;
mod assets;
mod authorize;
mod certificate;
mod client_auth;
pub mod cookies;
mod factor;
mod flow;
mod interaction;
mod introspect;
mod issue;
mod logout;
mod meta;
pub mod metrics;
mod oauth_response;
mod pages;
mod params;
pub mod password_login;
pub mod peer;
mod revoke;
mod session;
mod token;
mod userinfo;

use crate::oidc::discovery::paths;
use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

/// Requests larger than this are refused before any handler runs.
const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    let _ = metrics::handle();
    Router::new()
        .route(paths::DISCOVERY, get(meta::discovery))
        .route(paths::JWKS, get(meta::jwks))
        .route(
            paths::AUTHORIZE,
            get(authorize::authorize).post(authorize::authorize),
        )
        .route("/authorize/{uid}", get(authorize::resume))
        .route("/interaction/{uid}", get(interaction::show))
        .route("/interaction/{uid}/login", post(interaction::login))
        .route("/interaction/{uid}/consent", post(interaction::consent))
        .route(paths::TOKEN, post(token::token))
        .route(
            paths::USERINFO,
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(paths::INTROSPECT, post(introspect::introspect))
        .route(paths::REVOKE, post(revoke::revoke))
        .route(paths::END_SESSION, get(logout::logout).post(logout::logout))
        .route("/logout/confirm", post(logout::confirm))
        .route("/interaction/{uid}/abort", post(interaction::abort))
        .route("/interaction/{uid}/certificate", get(certificate::login))
        .route("/cabinet/certificate", get(certificate::bind))
        .route(
            "/register",
            get(account::register::show).post(account::register::start),
        )
        .route(
            "/register/{id}",
            get(account::register::code_show).post(account::register::code_submit),
        )
        .route("/register/{id}/resend", post(account::register::resend))
        .route(
            "/register/{id}/password",
            get(account::register::password_show).post(account::register::password_submit),
        )
        .route(
            "/recover",
            get(account::recover::show).post(account::recover::start),
        )
        .route(
            "/recover/{id}",
            get(account::recover::code_show).post(account::recover::code_submit),
        )
        .route("/recover/{id}/resend", post(account::recover::resend))
        .route(
            "/recover/{id}/password",
            get(account::recover::password_show).post(account::recover::password_submit),
        )
        .route(
            "/signin",
            get(account::signin::show).post(account::signin::submit),
        )
        .route("/signout", post(account::signin::signout))
        .route("/cabinet", get(account::cabinet::show))
        .route("/cabinet/personal", post(account::submit_personal))
        .route("/cabinet/postal", post(account::postal_code))
        .route("/cabinet/contact", post(account::contact_start))
        .route(
            "/cabinet/contact/{id}",
            get(account::contact_show).post(account::contact_code),
        )
        .route(
            "/cabinet/contact/{id}/resend",
            post(account::contact_resend),
        )
        .route("/factor", get(factor::show))
        .route("/factor/totp", post(factor::totp))
        .route("/factor/recovery", post(factor::recovery))
        .route("/factor/send", post(factor::send))
        .route(
            "/factor/code/{id}",
            get(factor::code_show).post(factor::code_submit),
        )
        .route("/factor/code/{id}/resend", post(factor::code_resend))
        .route("/cabinet/security", get(account::security::show))
        .route(
            "/cabinet/security/totp/start",
            post(account::security::totp_start),
        )
        .route(
            "/cabinet/security/totp/confirm",
            post(account::security::totp_confirm),
        )
        .route(
            "/cabinet/security/totp/remove",
            post(account::security::totp_remove),
        )
        .route(
            "/cabinet/security/recovery",
            post(account::security::recovery),
        )
        .route(
            "/cabinet/security/require",
            post(account::security::require),
        )
        .route("/assets/password.js", get(assets::password_js))
        .route("/healthz", get(meta::healthz))
        .route("/metrics", get(meta::metrics_text))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Headers every response carries; pages set their own, tighter CSP first.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'",
        ));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}
