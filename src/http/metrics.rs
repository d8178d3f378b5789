//! Prometheus metrics. The `metrics` facade has one process-wide recorder by design,
//! so it is installed once here (several apps in one test process share it).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the recorder (first call) and return the handle for `/metrics`.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok().map(|()| handle)
        })
        .as_ref()
}

/// Requests by route template and status, and their duration.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    #[expect(
        clippy::disallowed_methods,
        reason = "measuring duration, not reading the time of day"
    )]
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("propusk_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("propusk_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    resp
}

pub fn login(outcome: &'static str) {
    metrics::counter!("propusk_logins_total", "outcome" => outcome).increment(1);
}

pub fn tokens_issued(grant_type: &'static str) {
    metrics::counter!("propusk_tokens_issued_total", "grant_type" => grant_type).increment(1);
}

pub fn code_issued() {
    metrics::counter!("propusk_authorization_codes_issued_total").increment(1);
}
