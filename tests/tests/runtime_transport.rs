//! Timeouts, an injected HTTP client and raw response access against a loopback server.

mod runtime_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cplug_client::Error;
use runtime_support::{client_builder, serve, sessions_page, Server};

/// A listing that waits `delay` before responding and records each request's `User-Agent`.
struct Slow {
    delay: Duration,
    user_agents: Mutex<Vec<String>>,
}

async fn slow(State(state): State<Arc<Slow>>, headers: HeaderMap) -> Response {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    state.user_agents.lock().unwrap().push(agent);
    tokio::time::sleep(state.delay).await;
    let mut response = Json(sessions_page(1, 2, 2)).into_response();
    response.headers_mut().insert("x-request-id", "req-42".parse().unwrap());
    response.headers_mut().insert("x-ratelimit-remaining", "59".parse().unwrap());
    response
}

async fn start(delay: Duration) -> (Server, Arc<Slow>) {
    let state = Arc::new(Slow { delay, user_agents: Mutex::new(Vec::new()) });
    let router = Router::new().route("/api/v3/users/sessions", get(slow)).with_state(state.clone());
    (serve(router).await, state)
}

#[tokio::test]
async fn slow_server_times_out_without_retry() {
    let (server, state) = start(Duration::from_secs(3)).await;
    let client = client_builder(&server).bearer_token("token").timeout(Duration::from_millis(200)).build().unwrap();

    let started = Instant::now();
    let error = client.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert_eq!(error.to_string(), "the request timed out");
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(state.user_agents.lock().unwrap().len(), 1, "a timeout must not be retried");
}

#[tokio::test]
async fn request_timeout_overrides_client_timeout() {
    let (server, _state) = start(Duration::from_millis(300)).await;
    let patient = client_builder(&server).bearer_token("token").timeout(Duration::from_secs(5)).build().unwrap();
    let hasty = client_builder(&server).bearer_token("token").timeout(Duration::from_millis(100)).build().unwrap();

    let shortened = patient.list_user_sessions().timeout(Duration::from_millis(100)).send().await;
    let lengthened = hasty.list_user_sessions().timeout(Duration::from_secs(5)).send().await;

    assert!(matches!(shortened, Err(Error::Timeout)), "{shortened:?}");
    assert!(lengthened.is_ok(), "{lengthened:?}");
}

#[tokio::test]
async fn injected_http_client_is_used() {
    let (server, state) = start(Duration::ZERO).await;
    let http = reqwest::Client::builder().user_agent("injected-agent/1.0").build().unwrap();
    let injected = client_builder(&server)
        .bearer_token("token")
        .configure_runtime(|runtime| runtime.http_client(http))
        .build()
        .unwrap();
    let default = client_builder(&server).bearer_token("token").build().unwrap();

    injected.list_user_sessions().send().await.unwrap();
    default.list_user_sessions().send().await.unwrap();

    let agents = state.user_agents.lock().unwrap().clone();
    assert_eq!(agents[0], "injected-agent/1.0");
    assert!(agents[1].starts_with("cplug-runtime/"), "{}", agents[1]);
}

#[tokio::test]
async fn send_with_response_exposes_status_and_headers() {
    let (server, _state) = start(Duration::ZERO).await;
    let client = client_builder(&server).bearer_token("token").build().unwrap();

    let response = client.list_user_sessions().send_with_response().await.unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("x-request-id").unwrap(), "req-42");
    assert_eq!(response.headers().get("x-ratelimit-remaining").unwrap(), "59");
    assert_eq!(response.meta.total, 2);
    let page = response.into_inner();
    assert_eq!(page.data.sessions.len(), 2);
}

#[tokio::test]
async fn connect_timeout_applies() {
    // A listener that never accepts: once its accept queue is full, Linux drops further SYNs, so a
    // new connection neither succeeds nor fails until the client gives up.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    let _listener = socket.listen(1).unwrap();
    let mut queued = Vec::new();
    while queued.len() < 16 {
        match tokio::time::timeout(Duration::from_millis(100), tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(stream)) => queued.push(stream),
            _ => break,
        }
    }
    assert!(queued.len() < 16, "the accept queue never filled up");
    let client = cplug_client::Client::builder(format!("http://{address}"))
        .company_id(12)
        .bearer_token("token")
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}
