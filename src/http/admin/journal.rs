//! `/admin/v1/journal`: the audit journal, a page at a time or exported as JSON lines
//! (streamed chunk by chunk from the database).

use super::auth::Caller;
use super::input::query;
use super::problem::{AuthProblems, ProblemResponse, QueryProblems};
use crate::admin::journal::{self, AuditEntry, Export, JournalPage, JournalQuery};
use crate::admin::{Operation, permit};
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse as _, Response};

type Answer<T> = Result<T, ProblemResponse>;

/// Events matching the filters, oldest first.
#[utoipa::path(get, path = "/admin/v1/journal", tag = "journal", operation_id = "read_journal",
    params(JournalQuery),
    responses((status = 200, description = "A page of events", body = JournalPage),
        AuthProblems, QueryProblems))]
pub async fn list(
    State(state): State<AppState>,
    Caller(actor): Caller,
    uri: Uri,
) -> Answer<Json<JournalPage>> {
    let p = permit(&state, &actor, Operation::ReadJournal).await?;
    let q: JournalQuery = query(&uri)?;
    Ok(Json(journal::query(&state, &p, &q).await?))
}

/// Every matching event as JSON lines (`application/x-ndjson`), oldest first.
#[utoipa::path(get, path = "/admin/v1/journal/export", tag = "journal",
    operation_id = "export_journal",
    params(JournalQuery),
    responses((status = 200, description = "One event per line", body = AuditEntry,
        content_type = "application/x-ndjson"), AuthProblems, QueryProblems))]
pub async fn export(
    State(state): State<AppState>,
    Caller(actor): Caller,
    uri: Uri,
) -> Answer<Response> {
    let p = permit(&state, &actor, Operation::ExportJournal).await?;
    let q: JournalQuery = query(&uri)?;
    let export = journal::export(&state, &p, &q)?;
    let mut resp = Body::from_stream(lines(export)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    Ok(resp)
}

/// The export as a stream of chunks of lines. A database failure mid-way ends the
/// stream with an error, so the client sees a broken transfer, never a silent cut.
fn lines(
    export: Export,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(Some(export), |state| async move {
        let mut export = state?;
        match export.next_chunk().await {
            Ok(Some(entries)) => {
                let mut buf = Vec::new();
                for e in entries {
                    if let Err(err) = serde_json::to_writer(&mut buf, &e) {
                        return Some((Err(std::io::Error::other(err)), None));
                    }
                    buf.push(b'\n');
                }
                Some((Ok(Bytes::from(buf)), Some(export)))
            }
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "journal export failed");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    })
}
