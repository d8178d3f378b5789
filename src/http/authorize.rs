//! `GET|POST /authorize` and the resume endpoint `GET /authorize/{uid}`.

use super::flow::{self, Flow};
use super::oauth_response::redirect_error;
use super::pages::{self, Problem};
use super::params::query_or_form;
use crate::error::AppError;
use crate::oidc::authorize::{PageError, check_redirect_uri, parse_request};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;

pub async fn authorize(
    State(state): State<AppState>,
    jar: CookieJar,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let page = |jar: &CookieJar, ui: Option<&str>, problem, code: &str| {
        pages::error(
            pages::locale(ui, jar),
            StatusCode::BAD_REQUEST,
            problem,
            code,
        )
    };
    let Ok(params) = query_or_form(&method, query.as_deref(), &headers, &body) else {
        return Ok(page(&jar, None, Problem::InvalidRequest, "invalid_request"));
    };
    let ui = params.get("ui_locales");
    let Some(client_id) = params.get("client_id") else {
        return Ok(page(
            &jar,
            ui,
            Problem::InvalidRequest,
            PageError::MissingClientId.code(),
        ));
    };
    let Some(client) = state.store.active_client(client_id).await? else {
        return Ok(page(
            &jar,
            ui,
            Problem::UnknownClient,
            PageError::UnknownClient.code(),
        ));
    };
    let redirect_uri = match check_redirect_uri(&params, &client) {
        Ok(uri) => uri,
        Err(e @ PageError::MissingRedirectUri) => {
            return Ok(page(&jar, ui, Problem::InvalidRequest, e.code()));
        }
        Err(e) => return Ok(page(&jar, ui, Problem::UnregisteredRedirectUri, e.code())),
    };
    let issuer = state.config.issuer.as_str();
    let req = match parse_request(&params, &client, redirect_uri) {
        Ok(r) => r,
        Err(e) => {
            return Ok(redirect_error(
                redirect_uri,
                &e,
                params.get("state"),
                issuer,
            ));
        }
    };
    let hint_sub = match req.id_token_hint.as_deref() {
        Some(h) => match flow::verify_hint(&state, h, Some(&client.id)) {
            Ok(c) => Some(c.sub),
            Err(e) => {
                return Ok(redirect_error(
                    redirect_uri,
                    &e,
                    req.state.as_deref(),
                    issuer,
                ));
            }
        },
        None => None,
    };
    let flow = Flow::start(&state, &jar, req, client, hint_sub, None).await?;
    flow::proceed(&state, jar, flow).await
}

/// Where the hosted pages send the browser when the citizen is done.
pub async fn resume(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(uid): Path<String>,
) -> Result<Response, AppError> {
    match flow::load(&state, &jar, &uid).await? {
        Ok(flow) => flow::proceed(&state, jar, flow).await,
        Err(page) => Ok(*page),
    }
}
