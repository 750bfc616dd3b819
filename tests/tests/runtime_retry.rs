//! Retries of the generated client against a loopback server that injects faults.

mod runtime_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use cplug_client::{Client, Error, ListUserSessionsError};
use futures::StreamExt;
use runtime_support::{capture_logs, client_builder, fast_retry, serve, sessions_page, Server};
use serde_json::json;

/// What the server does for one request.
#[derive(Clone, Debug)]
enum Reply {
    /// A page of two sessions.
    Page,
    /// A status with an empty body and the given `Retry-After`, if any.
    Status(u16, Option<&'static str>),
    /// A 200 whose body stops half-way and whose connection is then closed.
    DropMidBody,
}

/// Replies from a script, one entry per request; the last entry repeats.
struct Script {
    replies: Vec<Reply>,
    arrivals: Mutex<Vec<Instant>>,
}

impl Script {
    fn count(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }
}

async fn scripted(State(script): State<Arc<Script>>) -> Response {
    let index = {
        let mut arrivals = script.arrivals.lock().unwrap();
        arrivals.push(Instant::now());
        arrivals.len() - 1
    };
    let reply = script.replies.get(index).or(script.replies.last()).cloned().expect("a reply");
    match reply {
        Reply::Page => Json(sessions_page(1, 2, 2)).into_response(),
        Reply::Status(code, retry_after) => {
            let mut response = StatusCode::from_u16(code).unwrap().into_response();
            if let Some(value) = retry_after {
                response.headers_mut().insert(header::RETRY_AFTER, value.parse().unwrap());
            }
            if code == 400 || code == 422 {
                *response.body_mut() = Body::from(json!({"code": "missing_headers", "meta": []}).to_string());
                response.headers_mut().insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            }
            response
        }
        Reply::DropMidBody => {
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(Bytes::from_static(br#"{"data": {"sessions": [{"id": "sess-0"#)),
                Err(std::io::Error::other("connection dropped by the test server")),
            ];
            // The pause lets the headers and the first chunk reach the client before the failure.
            let body = futures::stream::iter(chunks).then(|chunk| async move {
                if chunk.is_err() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                chunk
            });
            Response::builder().header(header::CONTENT_TYPE, "application/json").body(Body::from_stream(body)).unwrap()
        }
    }
}

async fn start(replies: Vec<Reply>) -> (Server, Arc<Script>) {
    let script = Arc::new(Script { replies, arrivals: Mutex::new(Vec::new()) });
    let router = Router::new().route("/api/v3/users/sessions", get(scripted)).with_state(script.clone());
    (serve(router).await, script)
}

fn client(server: &Server) -> Client {
    client_builder(server).bearer_token("token").build().unwrap()
}

#[tokio::test]
async fn status_503_then_200_succeeds() {
    let (server, script) = start(vec![Reply::Status(503, None), Reply::Page]).await;

    let page = client(&server).list_user_sessions().send().await.unwrap();

    assert_eq!(page.data.sessions.len(), 2);
    assert_eq!(script.count(), 2);
}

#[tokio::test]
async fn status_502_and_504_are_retried() {
    let (server, script) = start(vec![Reply::Status(502, None), Reply::Status(504, None), Reply::Page]).await;

    let page = client(&server).list_user_sessions().send().await.unwrap();

    assert_eq!(page.meta.total, 2);
    assert_eq!(script.count(), 3);
}

#[tokio::test]
async fn status_429_waits_for_retry_after() {
    let (server, script) = start(vec![Reply::Status(429, Some("1")), Reply::Page]).await;

    client(&server).list_user_sessions().send().await.unwrap();

    let arrivals = script.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), 2);
    let gap = arrivals[1] - arrivals[0];
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    assert!(gap < Duration::from_millis(1500), "retried after {gap:?}");
}

#[tokio::test]
async fn retry_after_beyond_limit_is_returned() {
    let (server, script) = start(vec![Reply::Status(503, Some("120")), Reply::Page]).await;

    let error = client(&server).list_user_sessions().send().await.unwrap_err();

    let Error::UnexpectedStatus { status, headers, .. } = &error else { panic!("expected a 503, got {error:?}") };
    assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers.get(header::RETRY_AFTER).unwrap(), "120");
    assert_eq!(script.count(), 1);
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let (server, script) = start(vec![Reply::Status(503, None)]).await;
    let client = client_builder(&server).bearer_token("token").retry(fast_retry().max_attempts(4)).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(script.count(), 4);
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for code in [400, 401, 403, 404, 409, 422, 500] {
        let (server, script) = start(vec![Reply::Status(code, None), Reply::Page]).await;

        let error = client(&server).list_user_sessions().send().await.unwrap_err();

        assert_eq!(script.count(), 1, "status {code} was retried");
        match code {
            400 => assert!(matches!(error, Error::Api(ListUserSessionsError::BadRequest(_))), "{error:?}"),
            401 => assert!(matches!(error, Error::Api(ListUserSessionsError::Unauthorized)), "{error:?}"),
            404 => assert!(matches!(error, Error::Api(ListUserSessionsError::NotFound)), "{error:?}"),
            422 => assert!(matches!(error, Error::Api(ListUserSessionsError::UnprocessableEntity(_))), "{error:?}"),
            _ => assert_eq!(error.status(), Some(StatusCode::from_u16(code).unwrap())),
        }
    }
}

#[tokio::test]
async fn disabled_policy_sends_once() {
    let (server, script) = start(vec![Reply::Status(503, None), Reply::Page]).await;
    let client =
        client_builder(&server).bearer_token("token").retry(cplug_client::RetryPolicy::disabled()).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(script.count(), 1);
}

#[tokio::test]
async fn body_dropped_mid_way_is_retried() {
    let (server, script) = start(vec![Reply::DropMidBody, Reply::Page]).await;

    let page = client(&server).list_user_sessions().send().await.unwrap();

    assert_eq!(page.data.sessions.len(), 2);
    assert_eq!(script.count(), 2);
}

#[tokio::test]
async fn body_always_dropped_is_transport_error() {
    let (server, script) = start(vec![Reply::DropMidBody]).await;

    let error = client(&server).list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.to_string().starts_with("transport error: reading the response body failed"), "{error}");
    assert_eq!(script.count(), 3);
}

#[tokio::test]
async fn refused_connection_is_retried_and_logged() {
    // Bind a port, then close it, so connecting to it is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder(base_url).company_id(12).bearer_token("token").retry(fast_retry()).build().unwrap();
    let (logs, _guard) = capture_logs();

    let error = client.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.to_string().starts_with("transport error: connection failed"), "{error}");
    let logs = logs.contents();
    let retries: Vec<&str> = logs.lines().filter(|line| line.contains("request failed; retrying")).collect();
    assert_eq!(retries.len(), 2, "{logs}");
    assert!(retries[0].contains("attempt=1"), "{}", retries[0]);
    assert!(retries[1].contains("attempt=2"), "{}", retries[1]);
    assert!(retries[0].contains("reason=\"connection failed"), "{}", retries[0]);
}

#[tokio::test]
async fn retry_log_names_operation_reason_and_delay() {
    let (server, _script) = start(vec![Reply::Status(503, None), Reply::Status(429, Some("0")), Reply::Page]).await;
    let client = client(&server);
    let (logs, _guard) = capture_logs();

    client.list_user_sessions().send().await.unwrap();

    let logs = logs.contents();
    let retries: Vec<&str> = logs.lines().filter(|line| line.contains("request failed; retrying")).collect();
    assert_eq!(retries.len(), 2, "{logs}");
    assert!(retries[0].contains("WARN"), "{}", retries[0]);
    assert!(retries[0].contains("operation_id=\"listUserSessions\""), "{}", retries[0]);
    assert!(retries[0].contains("attempt=1"), "{}", retries[0]);
    assert!(retries[0].contains("reason=\"status 503\""), "{}", retries[0]);
    assert!(retries[0].contains("delay_ms="), "{}", retries[0]);
    assert!(retries[1].contains("attempt=2"), "{}", retries[1]);
    assert!(retries[1].contains("reason=\"status 429\""), "{}", retries[1]);
    assert!(retries[1].contains("delay_ms=0"), "{}", retries[1]);

    let attempts: Vec<&str> =
        logs.lines().filter(|line| line.contains(": close time.busy") && line.contains("http_attempt{")).collect();
    assert_eq!(attempts.len(), 3, "{logs}");
    assert!(attempts[0].contains("http_attempt{attempt=1 status=503"), "{}", attempts[0]);
    assert!(attempts[1].contains("http_attempt{attempt=2 status=429"), "{}", attempts[1]);
    assert!(attempts[2].contains("http_attempt{attempt=3 status=200"), "{}", attempts[2]);

    let closed: Vec<&str> =
        logs.lines().filter(|line| line.contains(": close time.busy") && !line.contains("http_attempt{")).collect();
    assert_eq!(closed.len(), 1, "{logs}");
    assert!(closed[0].contains("operation_id=\"listUserSessions\""), "{}", closed[0]);
    assert!(closed[0].contains("method=GET"), "{}", closed[0]);
    assert!(closed[0].contains("path=\"/api/v3/users/sessions\""), "{}", closed[0]);
    assert!(closed[0].contains("status=200"), "{}", closed[0]);
    assert!(closed[0].contains("attempts=3"), "{}", closed[0]);
    assert!(closed[0].contains("duration_ms="), "{}", closed[0]);
}
