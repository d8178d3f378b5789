//! The management API (`/admin/v1`): JSON over HTTP for administrators, operators and
//! auditors, authenticated by propusk's own access tokens. Routes and the OpenAPI 3.1
//! document come from the same `#[utoipa::path]` annotations (utoipa-axum registers a
//! handler and documents it in one step), so the document at `/admin/v1/openapi.json`
//! cannot drift from what the server answers. The operations themselves live in
//! `crate::admin`; these modules only translate HTTP to and from them.

mod auth;
mod citizens;
mod clients;
mod input;
mod journal;
mod problem;

use crate::admin::FieldError;
use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use problem::Problem;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi as _};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const OPENAPI_PATH: &str = "/admin/v1/openapi.json";

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "propusk management API",
        version = "1",
        description = "Portals, citizens and the audit journal of a propusk server. \
            Authenticate with a propusk access token: client credentials of a service account \
            holding a propusk:admin, propusk:operator or propusk:auditor scope, or a citizen's \
            token carrying such a scope for a role the account holds. Errors are RFC 9457 \
            problem documents."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "clients", description = "Relying portals (admin)"),
        (name = "citizens", description = "Citizens' accounts (admin, operator)"),
        (name = "journal", description = "The audit journal (admin, auditor)")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token issued by this propusk server"))
                    .build(),
            ),
        );
    }
}

/// The routes with their document.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(clients::list, clients::create))
        .routes(routes!(clients::get, clients::update, clients::delete))
        .routes(routes!(clients::rotate_secret))
        .routes(routes!(citizens::search))
        .routes(routes!(citizens::view))
        .routes(routes!(citizens::block))
        .routes(routes!(citizens::unblock))
        .routes(routes!(citizens::unlock))
        .routes(routes!(citizens::confirm_identity))
        .routes(routes!(citizens::reset_second_factors))
        .routes(routes!(citizens::start_recovery))
        .routes(routes!(citizens::end_sessions))
        .routes(routes!(citizens::grant_role, citizens::revoke_role))
        .routes(routes!(journal::list))
        .routes(routes!(journal::export))
        .split_for_parts()
}

/// The OpenAPI document of the management API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented().1
}

/// `/admin/v1/…` and its document. Answers are never cached: they carry personal data
/// and secrets.
pub fn router() -> Router<AppState> {
    let (routes, api) = documented();
    let doc = match serde_json::to_vec(&api) {
        Ok(doc) => axum::body::Bytes::from(doc),
        Err(e) => {
            tracing::error!(error = %e, "the OpenAPI document does not serialise");
            axum::body::Bytes::new()
        }
    };
    routes
        .route(OPENAPI_PATH, get(move || serve_document(doc.clone())))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

async fn serve_document(doc: axum::body::Bytes) -> Response {
    if doc.is_empty() {
        return problem::ProblemResponse::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the document is unavailable",
        )
        .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        doc,
    )
        .into_response()
}
