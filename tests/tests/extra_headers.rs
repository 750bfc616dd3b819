//! The per-request `header(name, value)` hook of the generated request builders.

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use cplug_client::{Client, Error};

/// Starts a loopback server that responds to every sessions request with an empty page and records
/// the request headers. Returns its base URL and the recorded headers.
async fn start_server() -> (String, Arc<Mutex<Vec<HeaderMap>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let recorder = Arc::clone(&received);
    let app = Router::new().route(
        "/api/v3/users/sessions",
        get(move |headers: HeaderMap| async move {
            recorder.lock().expect("headers lock").push(headers);
            Json(serde_json::json!({
                "data": { "sessions": [] },
                "meta": { "current_page": 1, "last_page": 1, "per_page": 20, "total": 0 }
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("binding a loopback port failed");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("test server failed") });
    (url, received)
}

fn client(url: &str) -> Client {
    Client::builder(url).bearer_token("token").company_id(12).build().expect("valid client")
}

#[tokio::test]
async fn extra_header_is_sent() {
    let (url, received) = start_server().await;

    client(&url).list_user_sessions().header("Prefer", "code=200").header("X-Trace", "abc").send().await.unwrap();

    let headers = received.lock().unwrap().pop().expect("one request");
    assert_eq!(headers.get("prefer").unwrap(), "code=200");
    assert_eq!(headers.get("x-trace").unwrap(), "abc");
    assert_eq!(headers.get("cplug-company-id").unwrap(), "12");
}

#[tokio::test]
async fn extra_header_replaces_parameter() {
    let (url, received) = start_server().await;

    client(&url)
        .list_user_sessions()
        .header("CPlug-Company-Id", "7")
        .header("X-Trace", "first")
        .header("X-Trace", "second")
        .send()
        .await
        .unwrap();

    let headers = received.lock().unwrap().pop().expect("one request");
    let company_ids: Vec<_> = headers.get_all("cplug-company-id").iter().collect();
    assert_eq!(company_ids, ["7"]);
    let traces: Vec<_> = headers.get_all("x-trace").iter().collect();
    assert_eq!(traces, ["second"]);
}

#[tokio::test]
async fn invalid_extra_header_is_rejected() {
    let (url, received) = start_server().await;

    let bad_name = client(&url).list_user_sessions().header("Bad Name", "value").send().await;
    assert!(matches!(bad_name, Err(Error::InvalidRequest(_))), "bad name: {bad_name:?}");

    let bad_value = client(&url).list_user_sessions().header("X-Trace", "line\nbreak").send().await;
    assert!(matches!(bad_value, Err(Error::InvalidRequest(_))), "bad value: {bad_value:?}");

    assert!(received.lock().unwrap().is_empty(), "an invalid request reached the server");
}

#[test]
fn extra_header_value_redacted_in_debug() {
    let client = client("http://127.0.0.1:9");

    let builder = client.list_user_sessions().header("X-Api-Key", "hunter2");

    let debug = format!("{builder:?}");
    assert!(!debug.contains("hunter2"), "Debug output shows the value: {debug}");
    assert!(debug.contains("X-Api-Key"), "Debug output omits the name: {debug}");
}
