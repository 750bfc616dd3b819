//! A loopback HTTP server for `GET /api/v3/users/sessions` that returns generated pages.
//!
//! It runs on its own Tokio runtime and thread, so the client under test does not share worker
//! threads with it. Each response can wait a fixed latency before it is sent, to stand in for a
//! remote API.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

/// Header that carries the company on whose behalf a request is made.
pub const COMPANY_HEADER: &str = "CPlug-Company-Id";

/// Bearer token that both clients send and the server expects.
pub const TOKEN: &str = "bench-token";

/// Company ID that both clients send and the server expects.
pub const COMPANY_ID: i64 = 12;

/// Settings of the server: the data set, page size and latency.
#[derive(Clone, Copy, Debug)]
pub struct ServerConfig {
    /// Number of sessions across all pages.
    pub total_items: u64,
    /// Page size used when a request has no `per_page`.
    pub default_per_page: u64,
    /// Time each response waits before it is sent.
    pub latency: Duration,
}

/// A running server; it stops when the process exits.
pub struct RunningServer {
    /// Address the server listens on, on 127.0.0.1.
    pub address: SocketAddr,
}

impl RunningServer {
    /// Returns the base URL of the server, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

/// Starts the server on a free port of 127.0.0.1 in a new thread with its own runtime.
///
/// Panics when the runtime or the listener cannot be created, which ends the benchmark.
pub fn start(config: ServerConfig, worker_threads: usize) -> RunningServer {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads)
            .enable_all()
            .build()
            .expect("failed to build the server's Tokio runtime");
        runtime.block_on(async move {
            let listener =
                tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("failed to bind a port on 127.0.0.1");
            let address = listener.local_addr().expect("the listener has no local address");
            let router = Router::new().route("/api/v3/users/sessions", get(list_sessions)).with_state(Arc::new(config));
            sender.send(address).expect("the benchmark stopped before the server started");
            axum::serve(listener, router).await.expect("the loopback server failed");
        });
    });
    let address = receiver.recv().expect("the server thread ended before it listened");
    RunningServer { address }
}

async fn list_sessions(
    State(config): State<Arc<ServerConfig>>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    // Both clients must send the same headers, so a request missing one is rejected.
    let authorized = headers.get(header::AUTHORIZATION).is_some_and(|value| value == &*format!("Bearer {TOKEN}"));
    let company = headers.get(COMPANY_HEADER).is_some_and(|value| value == &*COMPANY_ID.to_string());
    let accepts_json = headers.get(header::ACCEPT).is_some_and(|value| value == "application/json");
    if !authorized || !company || !accepts_json {
        return (StatusCode::BAD_REQUEST, "missing Authorization, CPlug-Company-Id or Accept header").into_response();
    }

    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    let per_page = query.per_page.unwrap_or(config.default_per_page).max(1);
    let page = query.page.unwrap_or(1).max(1);
    let body = page_body(config.total_items, page, per_page);
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Builds the JSON body of one page, shaped like the spec's `UserSessionPage`.
pub fn page_body(total_items: u64, page: u64, per_page: u64) -> String {
    let last_page = total_items.div_ceil(per_page).max(1);
    let first = (page - 1).saturating_mul(per_page);
    let end = first.saturating_add(per_page).min(total_items);
    let sessions: Vec<String> = (first..end).map(session_json).collect();
    format!(
        r#"{{"data":{{"sessions":[{}]}},"meta":{{"current_page":{page},"last_page":{last_page},"per_page":{per_page},"total":{total_items}}}}}"#,
        sessions.join(",")
    )
}

/// Builds one session object with a token-like ID, a name and two timestamps.
fn session_json(index: u64) -> String {
    format!(
        r#"{{"id":"eyRTdiI6IlRLRTg0MXVES1dPRncxN3lONUtOc0E9PSIsInZhbHVlIjoi{index:08}","user_name":"User {index}","expires_at":"2025-01-01T00:00:00Z","created_at":"2024-12-31T08:30:00-03:00"}}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_body_decodes_as_spec_page() {
        let page: cplug_client::types::UserSessionPage =
            serde_json::from_str(&page_body(45, 3, 20)).expect("the page body does not match the spec's schema");
        assert_eq!(page.data.sessions.len(), 5);
        assert_eq!(page.meta.current_page, 3);
        assert_eq!(page.meta.last_page, 3);
        assert_eq!(page.meta.per_page, 20);
        assert_eq!(page.meta.total, 45);
        assert_eq!(page.data.sessions[0].user_name.as_deref(), Some("User 40"));
    }

    #[test]
    fn page_body_past_last_page_is_empty() {
        let page: cplug_client::types::UserSessionPage = serde_json::from_str(&page_body(10, 5, 20)).unwrap();
        assert!(page.data.sessions.is_empty());
        assert_eq!(page.meta.last_page, 1);
    }
}
