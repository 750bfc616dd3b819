//! Loopback HTTP servers and page bodies shared by the runtime end-to-end tests.

#![allow(dead_code)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use cplug_client::{Client, ClientBuilder, RetryPolicy};
use serde_json::{json, Value};

/// A server on 127.0.0.1 that stops when dropped.
pub struct Server {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on an ephemeral loopback port.
pub async fn serve(router: Router) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    Server { base_url: format!("http://{address}"), task }
}

/// Retry settings with millisecond backoff, so retry tests stay fast.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().initial_backoff(Duration::from_millis(5)).max_backoff(Duration::from_millis(20))
}

/// Starts a client configuration for `server` with company 12 and fast retries.
pub fn client_builder(server: &Server) -> ClientBuilder {
    Client::builder(&server.base_url).company_id(12).retry(fast_retry())
}

/// Returns the id of session number `index` of a listing.
pub fn session_id(index: i64) -> String {
    format!("sess-{index:03}")
}

/// Builds page `page` of a listing of `total` sessions with `per_page` sessions a page, reporting
/// `last_page` as the server computes it (1 for an empty listing, as Laravel does).
pub fn sessions_page(page: i64, per_page: i64, total: i64) -> Value {
    let last_page = ((total + per_page - 1) / per_page).max(1);
    page_body(page, per_page, total, last_page)
}

/// Builds a page of sessions with an explicit `last_page`.
pub fn page_body(page: i64, per_page: i64, total: i64, last_page: i64) -> Value {
    let first = (page - 1) * per_page;
    let last = (page * per_page).min(total);
    let sessions: Vec<Value> = (first..last.max(first))
        .map(|index| {
            json!({
                "id": session_id(index),
                "user_name": format!("user {index}"),
                "expires_at": "2025-01-01T00:00:00Z",
                "created_at": "2025-07-14T13:31:26.000000Z",
            })
        })
        .collect();
    json!({
        "data": { "sessions": sessions },
        "meta": { "current_page": page, "last_page": last_page, "per_page": per_page, "total": total },
    })
}

/// Reads an integer query parameter.
pub fn query_number(query: &std::collections::HashMap<String, String>, name: &str) -> Option<i64> {
    query.get(name).and_then(|value| value.parse().ok())
}

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    /// Returns everything written so far.
    pub fn contents(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a subscriber that records every event and span close of this thread at TRACE level,
/// without colours. Keep the guard alive for the duration of the test.
pub fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}
