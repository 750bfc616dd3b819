//! Which methods the runtime retries, against a loopback server that always responds with 503.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use axum::Router;
use cplug_runtime::{Request, RetryPolicy, Runtime};

/// Starts a server that responds with 503 to everything and records each request's method and
/// `Idempotency-Key`.
async fn start() -> (String, Arc<Mutex<Vec<(Method, Option<String>)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().route(
        "/api/v3/things",
        any(move |method: Method, headers: HeaderMap| {
            let log = log.clone();
            async move {
                let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
                log.lock().unwrap().push((method, key));
                StatusCode::SERVICE_UNAVAILABLE
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), seen)
}

fn runtime(base_url: &str) -> Runtime {
    let policy = RetryPolicy::default().max_attempts(3).initial_backoff(Duration::from_millis(2));
    Runtime::builder(base_url).retry(policy).build().unwrap()
}

fn request(method: Method) -> Request {
    let mut request = Request::new("changeThing", method, "/api/v3/things", "/api/v3/things".to_string());
    request.body =
        Some((http::HeaderValue::from_static("application/json"), bytes::Bytes::from_static(br#"{"name":"x"}"#)));
    request
}

#[tokio::test]
async fn post_without_key_is_sent_once() {
    let (base_url, seen) = start().await;

    let response = runtime(&base_url).execute(request(Method::POST)).await.unwrap();

    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn post_with_key_is_retried_with_same_key() {
    let (base_url, seen) = start().await;
    let mut post = request(Method::POST);
    post.header("Idempotency-Key", "0b7e6a52-3c1d-4c1e-9f0a-5d2b8c7e1f00").unwrap();

    runtime(&base_url).execute(post).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    for (method, key) in &seen {
        assert_eq!(method, Method::POST);
        assert_eq!(key.as_deref(), Some("0b7e6a52-3c1d-4c1e-9f0a-5d2b8c7e1f00"));
    }
}

#[tokio::test]
async fn put_and_delete_are_retried() {
    let (base_url, seen) = start().await;
    let runtime = runtime(&base_url);

    runtime.execute(request(Method::PUT)).await.unwrap();
    runtime.execute(request(Method::DELETE)).await.unwrap();

    let methods: Vec<Method> = seen.lock().unwrap().iter().map(|(method, _)| method.clone()).collect();
    assert_eq!(methods, vec![Method::PUT, Method::PUT, Method::PUT, Method::DELETE, Method::DELETE, Method::DELETE]);
}

#[tokio::test]
async fn patch_without_key_is_sent_once() {
    let (base_url, seen) = start().await;

    runtime(&base_url).execute(request(Method::PATCH)).await.unwrap();

    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn request_debug_hides_body() {
    let mut post = request(Method::POST);
    post.body = Some((http::HeaderValue::from_static("application/json"), bytes::Bytes::from_static(b"pw-1")));
    let text = format!("{post:?}");
    assert!(!text.contains("pw-1"), "{text}");
    assert!(text.contains("body_len: Some(4)"), "{text}");
}
