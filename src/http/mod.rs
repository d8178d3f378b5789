//! The HTTP surface: the route table, security headers and metrics. Handlers parse,
//! call the protocol core and the store, and respond; they hold no protocol logic.

mod access;
pub mod account;
pub mod admin;
mod assets;
mod authorize;
pub mod backchannel;
mod certificate;
mod client_auth;
pub mod client_ip;
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
mod passkey;
mod passkey_cabinet;
mod passkey_factor;
mod passkey_login;
pub mod password_login;
pub mod peer;
pub mod rate_limit;
mod revoke;
mod session;
mod token;
mod userinfo;

use crate::oidc::discovery::paths;
use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::convert::Infallible;
use std::net::SocketAddr;
use tower::Service;
use tower_http::set_header::SetResponseHeaderLayer;

/// Requests larger than this are refused before any handler runs.
const BODY_LIMIT: usize = 64 * 1024;

/// The whole application as one service: axum-server calls it with hyper's request body,
/// `axum::serve` (the tests) with axum's.
pub trait App:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Service<
        Request<hyper::body::Incoming>,
        Response = Response,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> App for T where
    T: Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Service<
            Request<hyper::body::Incoming>,
            Response = Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The application with each request's peer address (`ConnectInfo`), ready for a listener.
pub fn with_peer<A: App>(app: A) -> IntoMakeServiceWithConnectInfo<A, SocketAddr> {
    axum::ServiceExt::<Request>::into_make_service_with_connect_info(app)
}

pub fn router(state: AppState) -> impl App {
    // Install the metrics recorder before the first request is counted.
    let _ = metrics::handle();
    // Answers made from memory alone: a hang-up cannot leave anything in them half-done,
    // so they run without a task of their own (its spawn and the hand-over between
    // threads were a measurable share of such short requests).
    let from_memory = Router::new()
        .route(paths::DISCOVERY, get(meta::discovery))
        .route(paths::JWKS, get(meta::jwks))
        .route("/assets/password.js", get(assets::password_js))
        .route("/assets/passkey.js", get(assets::passkey_js));
    let with_work = Router::new()
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
        .route("/cabinet/sessions", get(account::sessions::show))
        .route("/cabinet/sessions/end", post(account::sessions::end_one))
        .route(
            "/cabinet/sessions/end-others",
            post(account::sessions::end_others),
        )
        .route(
            "/cabinet/password",
            get(account::password_change::show).post(account::password_change::submit),
        )
        .route("/cabinet/passkeys", get(passkey_cabinet::show))
        .route(
            "/cabinet/passkeys/register/start",
            post(passkey_cabinet::register_start),
        )
        .route(
            "/cabinet/passkeys/register/finish",
            post(passkey_cabinet::register_finish),
        )
        .route("/cabinet/passkeys/remove", post(passkey_cabinet::remove))
        .route("/factor/passkey", get(passkey_factor::show))
        .route("/factor/passkey/start", post(passkey_factor::start))
        .route("/factor/passkey/finish", post(passkey_factor::finish))
        .route("/signin/passkey", get(passkey_login::signin_show))
        .route("/signin/passkey/start", post(passkey_login::signin_start))
        .route("/signin/passkey/finish", post(passkey_login::signin_finish))
        .route(
            "/interaction/{uid}/login/passkey",
            get(passkey_login::interaction_show),
        )
        .route(
            "/interaction/{uid}/login/passkey/start",
            post(passkey_login::interaction_start),
        )
        .route(
            "/interaction/{uid}/login/passkey/finish",
            post(passkey_login::interaction_finish),
        )
        .route("/healthz", get(meta::healthz))
        .route("/metrics", get(meta::metrics_text))
        // Only routes added above are limited; the table of which is in rate_limit/.
        .route_layer(middleware::from_fn_with_state(
            rate_limit::Guard::new(&state),
            rate_limit::enforce,
        ))
        .merge(admin::router())
        .layer(middleware::from_fn(run_to_completion));
    let routes = from_memory
        .merge(with_work)
        .layer(middleware::from_fn(metrics::track))
        .with_state(state);
    // What every request passes through is one tower stack around the route table, not
    // `Router::layer`s: a router layer wraps each route in its own boxed service, cloned
    // for every request (callgrind, discovery: the three layers cost more instructions
    // than hyper's parsing and writing together). The metrics layer stays inside: it
    // needs the matched route.
    tower::ServiceBuilder::new()
        .map_response(IntoResponse::into_response)
        .layer(secure_header_if_absent(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(secure_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(secure_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(secure_header(header::REFERRER_POLICY, "no-referrer"))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .service(routes)
}

/// The request runs on a task of its own, so a client that hangs up does not cancel a
/// handler halfway (between two statements of a transaction, a pooled connection would
/// go back to the pool still inside it).
async fn run_to_completion(req: Request, next: Next) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(resp) => resp,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The headers every response carries (the outermost layers). Pages set their own,
/// tighter CSP first, so that one is only added when absent.
fn secure_header_if_absent(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

fn secure_header(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}
