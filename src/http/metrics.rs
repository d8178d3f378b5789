//! Prometheus metrics. The `metrics` facade has one process-wide recorder by design,
//! so it is installed once here (several apps in one test process share it).

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::cell::RefCell;
use std::collections::HashMap;
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

/// Requests by route template, method and status, and their duration.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    #[expect(
        clippy::disallowed_methods,
        reason = "measuring duration, not reading the time of day"
    )]
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    record(route, method, resp.status().as_u16(), elapsed);
    resp
}

/// A route's metric handles. Building a metric key (label strings, hashing, the
/// registry lookup) for every request costs more than the increment itself, so each
/// thread keeps the handles it has used; they stay valid, as the recorder is global.
struct RouteMetrics {
    duration: metrics::Histogram,
    requests: Vec<(Method, u16, metrics::Counter)>,
}

thread_local! {
    static ROUTES: RefCell<HashMap<String, RouteMetrics>> = RefCell::new(HashMap::new());
}

/// Counters cached per route and thread; any further (method, status) pair of a route
/// is looked up each time, so odd methods cannot grow the cache.
const CACHED_PER_ROUTE: usize = 16;

fn record(route: &str, method: Method, status: u16, seconds: f64) {
    ROUTES.with_borrow_mut(|routes| {
        if !routes.contains_key(route) {
            let duration = metrics::histogram!(
                "propusk_http_request_duration_seconds",
                "route" => route.to_owned()
            );
            routes.insert(
                route.to_owned(),
                RouteMetrics {
                    duration,
                    requests: Vec::new(),
                },
            );
        }
        let Some(m) = routes.get_mut(route) else {
            return;
        };
        m.duration.record(seconds);
        if let Some((_, _, c)) = m
            .requests
            .iter()
            .find(|(me, st, _)| *st == status && *me == method)
        {
            c.increment(1);
            return;
        }
        let c = metrics::counter!(
            "propusk_http_requests_total",
            "route" => route.to_owned(),
            "method" => method.to_string(),
            "status" => status.to_string()
        );
        c.increment(1);
        if m.requests.len() < CACHED_PER_ROUTE {
            m.requests.push((method, status, c));
        }
    });
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
